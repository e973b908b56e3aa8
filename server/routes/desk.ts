import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ageOn, isoDate, parseIdNumber, vocabulary } from "../../engine/index.ts";
import { requireRoles } from "../auth.ts";
import { requirements } from "../desk/requirements.ts";
import { AppError } from "../errors.ts";
import type { PolicyService } from "../policy-service.ts";
import type { Store } from "../store/index.ts";

/** What the desk routes need (given by `build`, typed). */
export type DeskRouteOptions = { store: Store; policies: PolicyService; today: () => string };

const label = z.object({ zh: z.string(), en: z.string() });
const citation = z.object({ document: z.string(), clause: z.string(), note: z.string().optional() });

const requirementsSchema = z.object({
  region: z.string(),
  category: z.string().nullable(),
  kind: z.string(),
  asOf: z.string(),
  chain: z
    .array(z.object({ id: z.string(), version: z.string() }))
    .describe("the rule sets in force, nation first"),
  fields: z
    .array(z.object({ id: z.string(), label, why: z.array(z.string()).describe("the rules that read it") }))
    .describe("case fields to ask for (case-format.md paths)"),
  formFields: z
    .array(
      z.object({
        key: z.string(),
        channels: z.array(z.string()).nullable().describe("channels the form applies to; null: all"),
        required: z.array(z.object({ id: z.string(), label })),
        citation,
      }),
    )
    .describe("required fields of the filing form (478号 附件1), when a form is handed in"),
  materials: z.array(
    z.object({
      rule: z.string(),
      ids: z.array(z.string()),
      oneOf: z.boolean().describe("one of the ids is enough (a one-of group)"),
      label: z.string(),
      labels: z.array(z.object({ id: z.string(), label })),
      conditional: z.boolean().describe("required only under a condition (e.g. filed by an agent)"),
      citation,
    }),
  ),
  rules: z.array(z.object({ id: z.string(), message: z.string(), onFail: z.string(), citation })),
});

/**
 * The decision desk's helpers: what a region's rules ask for a category and kind on a date, and an
 * ID number checked and read (GB 11643). Every logged-in role that may decide uses them.
 */
export const deskRoutes: FastifyPluginAsyncZod<DeskRouteOptions> = async (r, opts) => {
  const { store, policies, today } = opts;
  const deciders = requireRoles(store, "clerk", "tester", "officer", "approver", "admin");

  r.get(
    "/requirements",
    {
      schema: {
        tags: ["desk"],
        summary:
          "What the rules in force ask for a region, category and kind on a date (fields, form, materials, rules)",
        querystring: z.object({
          region: z.string().regex(/^\d{6}$/, 'a 6-digit insured region code such as "510402"'),
          category: z.enum(vocabulary.CATEGORIES.ids).optional(),
          kind: z.enum(vocabulary.KINDS.ids).default("filing"),
          asOf: isoDate.optional().describe("default today"),
        }),
        response: { 200: requirementsSchema },
      },
      onRequest: deciders,
    },
    async (req) => {
      const { region, category, kind } = req.query;
      const asOf = req.query.asOf ?? today();
      const p = (await policies.fresh()).policyFor(region, asOf);
      if (!p.ok) throw new AppError("NOT_DECIDABLE", p.problem.message, [p.problem]);
      return { region, category: category ?? null, kind, asOf, ...requirements(p.policy, kind, category) };
    },
  );

  r.post(
    "/id-number/check",
    {
      schema: {
        tags: ["desk"],
        summary: "Check an ID number (GB 11643) and read birth date, sex, age on a date and region from it",
        body: z.strictObject({
          idNumber: z.string().max(32),
          asOf: isoDate.optional().describe("default today"),
        }),
        response: {
          200: z.object({
            valid: z.boolean(),
            birthDate: z.string().nullable(),
            sex: z.enum(["male", "female"]).nullable(),
            age: z.number().nullable().describe("completed years on asOf"),
            region: z.string().nullable().describe("the region the number was issued in (digits 1–6)"),
            regionName: z.string().nullable(),
            problem: z.string().nullable(),
          }),
        },
      },
      onRequest: deciders,
    },
    async (req) => {
      const id = req.body.idNumber.trim().toUpperCase();
      const p = parseIdNumber(id);
      if (!p.ok) {
        return {
          valid: false,
          birthDate: null,
          sex: null,
          age: null,
          region: null,
          regionName: null,
          problem: p.reason,
        };
      }
      const { birthDate, sex, region } = p.info;
      const name = vocabulary.REGION_NAMES[region] ?? null;
      return {
        valid: true,
        birthDate,
        sex,
        age: ageOn(birthDate, req.body.asOf ?? today()),
        region,
        regionName: name,
        problem: null,
      };
    },
  );
};
