declare module "chinese-days/dist/chinese-days.json" {
  const calendar: {
    holidays: Record<string, string>;
    workdays: Record<string, string>;
    inLieuDays: Record<string, string>;
  };
  export default calendar;
}
