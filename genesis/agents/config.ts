import * as z from 'zod';

/**
 * A hosted agent's config: the content of its agent artifact, so that its owner changes it (and sells
 * control of it) through the artifact's contract like anything else. The model is an endpoint's name,
 * never a key.
 */
export const AgentConfigSchema = z
  .object({
    goal: z.string().min(1).max(2_000),
    system_prompt: z.string().max(8_000).optional(),
    model: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/).optional(),
    loop: z
      .object({
        /** Steps this agent takes per minute at most (the host's own limit also applies). */
        steps_per_minute: z.int().min(1).max(600).optional(),
        /** Tool calls the model may make in one step (more are refused back to it). */
        max_tool_calls: z.int().min(1).max(64).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/** Reads an agent artifact's content; null when its owner wrote something that is not a config. */
export function parseAgentConfig(content: string): AgentConfig | null {
  try {
    const r = AgentConfigSchema.safeParse(JSON.parse(content));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
