import { useInherited, useRuleSets } from "../api/queries.ts";
import { InheritedView } from "../components/inherited-view.tsx";
import { QueryState } from "../components/query-state.tsx";
import { regionLabel } from "../versions.ts";

export function InheritedTab({ id }: { id: number }) {
  const inherited = useInherited(id);
  const ruleSets = useRuleSets();
  const levelName = (ruleSetId: string) => {
    if (ruleSetId === "national") return regionLabel("000000");
    const g = ruleSets.data?.find((x) => x.id === ruleSetId);
    return regionLabel(g?.versions.find((v) => v.region)?.region) || ruleSetId;
  };
  return (
    <QueryState query={inherited}>
      {() => inherited.data && <InheritedView inherited={inherited.data} levelName={levelName} />}
    </QueryState>
  );
}
