import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { http } from "./http.ts";
import type {
  Actions,
  ChangeSummary,
  Inherited,
  Problem,
  RuleSetGroup,
  Sample,
  TryResult,
  User,
  Version,
} from "./types.ts";

/** Server state, one hook per resource; pages use these, components get plain data. */

export const useMe = () =>
  useQuery({
    queryKey: ["me"],
    queryFn: () => http<User>("GET", "/api/me"),
    retry: false,
    staleTime: 60_000,
  });

export const useRuleSets = (status?: string) =>
  useQuery({
    queryKey: ["rule-sets", status ?? "all"],
    queryFn: () => http<RuleSetGroup[]>("GET", `/api/rule-sets${status ? `?status=${status}` : ""}`),
  });

export const useVersion = (id: number) =>
  useQuery({
    queryKey: ["version", id],
    queryFn: () => http<Version>("GET", `/api/rule-sets/versions/${id}`),
  });

export const useVersionYaml = (id: number | null) =>
  useQuery({
    queryKey: ["yaml", id],
    enabled: id != null,
    queryFn: () => http<string>("GET", `/api/rule-sets/versions/${id}/yaml`),
  });

export const useActions = (id: number) =>
  useQuery({
    queryKey: ["actions", id],
    queryFn: () => http<Actions>("GET", `/api/rule-sets/versions/${id}/actions`),
  });

export const useValidation = (id: number) =>
  useQuery({
    queryKey: ["validation", id],
    queryFn: () =>
      http<{ ok: boolean; problems: Problem[] }>("POST", `/api/rule-sets/versions/${id}/validate`),
  });

export const useInherited = (id: number) =>
  useQuery({
    queryKey: ["inherited", id],
    queryFn: () => http<Inherited>("GET", `/api/rule-sets/versions/${id}/inherited`),
  });

export const useSummary = (id: number, against: number | null) =>
  useQuery({
    queryKey: ["summary", id, against],
    enabled: against != null,
    queryFn: () => http<ChangeSummary>("GET", `/api/rule-sets/versions/${id}/summary?against=${against}`),
  });

export const useSamples = (id: number) =>
  useQuery({
    queryKey: ["samples", id],
    queryFn: async () => {
      const data = await http<Sample[] | { samples: Sample[] }>(
        "GET",
        `/api/rule-sets/versions/${id}/samples`,
      );
      return Array.isArray(data) ? data : data.samples;
    },
  });

/** Everything that depends on a version's content or status, refreshed after any change. */
export function useInvalidateVersion() {
  const qc = useQueryClient();
  return (id: number) =>
    Promise.all(
      ["version", "actions", "validation", "inherited", "summary", "yaml", "rule-sets"].map((k) =>
        qc.invalidateQueries({ queryKey: k === "rule-sets" ? [k] : [k, id] }),
      ),
    );
}

export const useTry = (id: number) =>
  useMutation({
    mutationFn: async (body: { text: string; format: "yaml" | "json" } | { cases: unknown[] }) => {
      const data = await http<TryResult[] | { results: TryResult[] }>(
        "POST",
        `/api/rule-sets/versions/${id}/try`,
        body,
      );
      return Array.isArray(data) ? data : data.results;
    },
  });
