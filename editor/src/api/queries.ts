import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { client, unwrap } from "./client.ts";

/** Server state, one hook per resource; pages use these, components get plain data. */

const version = (id: number) => ({ params: { path: { id } } });

export const useMe = () =>
  useQuery({
    queryKey: ["me"],
    queryFn: () => unwrap(client.GET("/api/me")),
    retry: false,
    staleTime: 60_000,
  });

export const useRuleSets = (status?: "draft" | "in_review" | "published" | "rejected") =>
  useQuery({
    queryKey: ["rule-sets", status ?? "all"],
    queryFn: () => unwrap(client.GET("/api/rule-sets", { params: { query: status ? { status } : {} } })),
  });

export const useVersion = (id: number) =>
  useQuery({
    queryKey: ["version", id],
    queryFn: () => unwrap(client.GET("/api/rule-sets/versions/{id}", version(id))),
  });

const yamlQuery = (id: number | null) => ({
  queryKey: ["yaml", id],
  enabled: id != null,
  queryFn: () =>
    unwrap(client.GET("/api/rule-sets/versions/{id}/yaml", { ...version(id ?? 0), parseAs: "text" })),
});

export const useVersionYaml = (id: number | null) => useQuery(yamlQuery(id));

/** The YAML texts of several versions (a chain's), loaded together. */
export const useVersionYamls = (ids: number[]) =>
  useQueries({ queries: ids.map(yamlQuery), combine: (rs) => rs.map((r) => r.data ?? "") });

export const useActions = (id: number) =>
  useQuery({
    queryKey: ["actions", id],
    queryFn: () => unwrap(client.GET("/api/rule-sets/versions/{id}/actions", version(id))),
  });

export const useValidation = (id: number) =>
  useQuery({
    queryKey: ["validation", id],
    queryFn: () => unwrap(client.POST("/api/rule-sets/versions/{id}/validate", version(id))),
  });

export const useInherited = (id: number) =>
  useQuery({
    queryKey: ["inherited", id],
    queryFn: () => unwrap(client.GET("/api/rule-sets/versions/{id}/inherited", version(id))),
  });

export const useSummary = (id: number, against: number | null) =>
  useQuery({
    queryKey: ["summary", id, against],
    enabled: against != null,
    queryFn: () =>
      unwrap(
        client.GET("/api/rule-sets/versions/{id}/summary", {
          params: { path: { id }, query: against != null ? { against } : {} },
        }),
      ),
  });

export const useSamples = (id: number) =>
  useQuery({
    queryKey: ["samples", id],
    queryFn: () => unwrap(client.GET("/api/rule-sets/versions/{id}/samples", version(id))),
  });

/** Everything that depends on a version's content or status, refreshed after any change. */
export function useInvalidateVersion() {
  const qc = useQueryClient();
  return (id: number) =>
    Promise.all(
      ["version", "actions", "validation", "inherited", "summary", "yaml", "samples", "rule-sets"].map((k) =>
        qc.invalidateQueries({ queryKey: k === "rule-sets" ? [k] : [k, id] }),
      ),
    );
}

export const useTry = (id: number) =>
  useMutation({
    mutationFn: async (body: { text: string; format: "yaml" | "json" } | { cases: unknown[] }) =>
      (await unwrap(client.POST("/api/rule-sets/versions/{id}/try", { ...version(id), body }))).results,
  });
