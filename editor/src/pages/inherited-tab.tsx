export function InheritedTab({ id }: { id: number }) {
  void id;
  return null;
}
