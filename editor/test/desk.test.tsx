// @vitest-environment happy-dom
import "./setup.ts";
import { screen } from "@testing-library/react";
import { Form } from "antd";
import { describe, expect, it } from "vitest";
import {
  caseOf,
  fieldsOfStep,
  formFieldsOf,
  idInfo,
  inputOf,
  materialGroups,
  type Requirements,
  stepOf,
} from "../src/desk/desk-model.ts";
import { Materials } from "../src/pages/desk-page.tsx";
import { renderIn } from "./render.tsx";

const cite = { document: "攀医保〔2017〕10号", clause: "四(二)1" };
const label = (zh: string) => ({ zh, en: zh });

/** What /api/requirements answers for Panzhihua, retired_resettled (shape of server/desk/requirements.ts). */
const resettled: Requirements = {
  region: "510402",
  category: "retired_resettled",
  kind: "filing",
  asOf: "2017-06-01",
  chain: [
    { id: "national", version: "2016-12-13" },
    { id: "sichuan/panzhihua", version: "2017-04-12" },
  ],
  fields: [
    { id: "applicant.idNumber", label: label("身份证号"), why: [] },
    { id: "insured.region", label: label("参保地"), why: [] },
    { id: "insured.scheme", label: label("险种"), why: ["scheme"] },
    { id: "filing.category", label: label("人员类别"), why: [] },
    { id: "filing.destination.region", label: label("就医地"), why: [] },
    { id: "insured.status", label: label("人员状态（在职/退休）"), why: ["retired"] },
    { id: "filing.hukouMoved", label: label("户籍是否已迁入就医地"), why: ["hukou"] },
  ],
  formFields: [
    {
      key: "window",
      channels: ["window"],
      required: [{ id: "homeAddress", label: label("家庭住址") }],
      citation: { document: "人社厅发〔2016〕478号", clause: "附件1" },
    },
    {
      key: "online",
      channels: ["online"],
      required: [{ id: "phone1", label: label("联系电话") }],
      citation: { document: "人社厅发〔2016〕478号", clause: "附件1" },
    },
  ],
  materials: [
    {
      rule: "form",
      ids: ["filing_form"],
      oneOf: false,
      label: "备案表",
      labels: [{ id: "filing_form", label: label("备案表") }],
      conditional: false,
      citation: cite,
    },
    {
      rule: "ss-card",
      ids: ["ss_card"],
      oneOf: false,
      label: "社保卡",
      labels: [{ id: "ss_card", label: label("社会保障卡") }],
      conditional: false,
      citation: cite,
    },
    {
      rule: "proof",
      ids: ["hukou_proof", "property_certificate"],
      oneOf: true,
      label: "户籍或房产证明",
      labels: [
        { id: "hukou_proof", label: label("户籍证明") },
        { id: "property_certificate", label: label("房产证") },
      ],
      conditional: false,
      citation: { document: "攀医保〔2017〕10号", clause: "四(二)2(1)" },
    },
    {
      rule: "form-again",
      ids: ["filing_form"],
      oneOf: false,
      label: "备案表",
      labels: [{ id: "filing_form", label: label("备案表") }],
      conditional: false,
      citation: cite,
    },
  ],
  rules: [],
};

function Harness() {
  const [form] = Form.useForm();
  return (
    <Form form={form}>
      <Materials req={resettled} />
    </Form>
  );
}

describe("desk form: fields per category", () => {
  it("asks the person's fields in the person step, ID number first, then the name", () => {
    const person = fieldsOfStep(resettled, "person").map((f) => f.id);
    expect(person).toEqual(["applicant.idNumber", "applicant.name", "insured.scheme", "insured.status"]);
  });

  it("asks where to and the hospital in the destination step, the category's facts last", () => {
    expect(fieldsOfStep(resettled, "destination").map((f) => f.id)).toEqual([
      "filing.destination.region",
      "filing.destination.hospital.name",
    ]);
    expect(fieldsOfStep(resettled, "facts").map((f) => f.id)).toEqual(["filing.hukouMoved"]);
    // the region and the category are the first steps' own
    expect(stepOf("insured.region")).toBe("region");
    expect(fieldsOfStep(resettled, "facts").map((f) => f.id)).not.toContain("filing.category");
  });

  it("asks a long-term resident's years at the destination, not a household move", () => {
    const longTerm = {
      fields: [
        { id: "applicant.idNumber", label: label("身份证号"), why: [] },
        { id: "filing.residenceYears", label: label("在就医地居住年限"), why: ["years"] },
      ],
    };
    const facts = fieldsOfStep(longTerm, "facts").map((f) => f.id);
    expect(facts).toEqual(["filing.residenceYears"]);
    expect(inputOf("filing.residenceYears").type).toBe("number");
    expect(inputOf("filing.hukouMoved").type).toBe("boolean");
    expect(inputOf("insured.status")).toMatchObject({ type: "select" });
  });

  it("asks the filing form's fields of the channel used", () => {
    expect(formFieldsOf(resettled, "window").map((f) => f.id)).toEqual(["filing.form.homeAddress"]);
    expect(formFieldsOf(resettled, "online").map((f) => f.id)).toEqual(["filing.form.phone1"]);
  });
});

describe("desk form: what an ID number says (GB 11643)", () => {
  it("reads birth date, sex and age on the application date", () => {
    expect(idInfo("510402195001011236", "2017-06-01")).toEqual({
      valid: true,
      birthDate: "1950-01-01",
      sex: "male",
      age: 67,
      region: "510402",
    });
    // the day before the birthday the age is a year less
    expect(idInfo("510402195001011236", "2016-12-31")).toMatchObject({ age: 66 });
  });

  it("refuses a wrong check digit, an impossible date, a short number", () => {
    expect(idInfo("510402195001011235", "2017-06-01")).toEqual({ valid: false, problem: "checksum" });
    expect(idInfo("510402195002301236", "2017-06-01")).toMatchObject({ valid: false, problem: "date" });
    expect(idInfo("51040219500101", "2017-06-01")).toEqual({ valid: false, problem: "length" });
  });
});

describe("desk form: materials", () => {
  it("shows single materials once and a one-of group as one group", () => {
    const groups = materialGroups(resettled.materials);
    expect(groups.map((g) => [g.oneOf, g.items.map((i) => i.id)])).toEqual([
      [false, ["filing_form"]],
      [false, ["ss_card"]],
      [true, ["hukou_proof", "property_certificate"]],
    ]);
  });

  it("renders checkboxes with the material's name and citation, the group boxed together", () => {
    renderIn(<Harness />);
    expect(screen.getByText("社会保障卡")).toBeTruthy();
    expect(screen.getAllByTestId("one-of")).toHaveLength(1);
    expect(screen.getByText("任选其一")).toBeTruthy();
    expect(screen.getByText("户籍证明")).toBeTruthy();
    expect(screen.getByText("〔攀医保〔2017〕10号 四(二)2(1)〕")).toBeTruthy();
    expect(screen.getAllByRole("checkbox")).toHaveLength(4);
  });

  it("makes the case from the form, leaving empty fields out for the rules to report", () => {
    const c = caseOf({
      asOf: "2017-06-01",
      kind: "filing",
      fields: {
        "applicant.idNumber": " 510402195001011236 ",
        "insured.region": "510402",
        "filing.hukouMoved": true,
        "filing.destination.region": "460200",
        "filing.destination.hospital.name": "",
        "insured.status": undefined,
      },
      materials: ["filing_form"],
    });
    expect(c).toMatchObject({
      asOf: "2017-06-01",
      kind: "filing",
      applicant: { idNumber: "510402195001011236" },
      insured: { region: "510402" },
      filing: { materials: ["filing_form"], hukouMoved: true, destination: { region: "460200" } },
    });
    expect((c.insured as Record<string, unknown>).status).toBeUndefined();
    expect((c.filing as { destination: Record<string, unknown> }).destination.hospital).toBeUndefined();
  });
});
