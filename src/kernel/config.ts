import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { BUILTIN_CONTRACTS } from './contracts.ts';
import { KernelError } from './errors.ts';

/**
 * Every tunable of the world, with its default, in one place.
 * Objects are strict: a misspelt key is an error, never silently ignored.
 */
const int = (min: number, max: number = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);

const GrantSchema = z
  .object({
    scrip: int(0).default(100),
    llm_budget_micro_usd: int(0).default(1_000_000),
    disk_bytes: int(0).default(1_000_000),
    calls: int(0).default(600),
    cpu_ms: int(0).default(20_000),
    llm_tokens: int(0).default(200_000),
  })
  .strict();

/** An LLM endpoint's name, as agents and the scorer refer to it. */
const ENDPOINT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const EndpointSchema = z
  .object({
    base_url: z.string().url(),
    model: z.string().min(1).max(200),
    /** Environment variable holding the API key; absent for local servers that need none. */
    api_key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    /** Price per 1,000 prompt tokens and per 1,000 completion tokens, in micro-dollars (whole numbers). */
    input_micro_usd_per_1k: int(0, 100_000_000).default(0),
    output_micro_usd_per_1k: int(0, 100_000_000).default(0),
    timeout_ms: int(100, 600_000).default(60_000),
    /** Completion tokens asked for (and reserved) per call. */
    max_output_tokens: int(1, 1_000_000).default(2_048),
    /** Prompt tokens a call may carry (estimated before the call; larger prompts are refused). */
    max_input_tokens: int(1, 10_000_000).default(32_000),
  })
  .strict();
export type LlmEndpoint = z.infer<typeof EndpointSchema>;

export const ConfigSchema = z
  .object({
    /** Starting allocation journalled to every principal the operator creates. */
    principal_defaults: GrantSchema.prefault({}),
    rates: z
      .object({
        /** Length of every rolling rate window. */
        window_ms: int(1_000, 86_400_000).default(60_000),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        max_args_bytes: int(64, 64 * 1024 * 1024).default(512 * 1024),
        /**
         * Arguments to a code artifact's method (checked against its agent-written schema on the host):
         * smaller than genesis calls', so validating them stays cheap. Pass bigger inputs as an artifact id.
         */
        max_invoke_args_bytes: int(64, 64 * 1024 * 1024).default(64 * 1024),
        /** How long a result is kept for its idempotency key (and counts against its principal's disk quota). */
        idempotency_ttl_ms: int(1_000, 365 * 86_400_000).default(86_400_000),
        /** A command draws one more call from its caller's window for each further started this many bytes of its request. */
        call_bytes: int(1_024, 64 * 1024 * 1024).default(16 * 1024),
        /** Levels of nested objects and arrays in a call's arguments (the arguments object is level 1). */
        max_args_depth: int(2, 1_000).default(64),
        max_content_bytes: int(0, 64 * 1024 * 1024).default(256 * 1024),
        /** Disk quota each artifact costs beyond its fields' bytes: its row, indexes and search entry. */
        artifact_overhead_bytes: int(0, 1024 * 1024).default(256),
        max_code_bytes: int(0, 16 * 1024 * 1024).default(128 * 1024),
        max_description_chars: int(1, 10_000).default(500),
        max_interface_methods: int(1, 256).default(32),
        max_interface_bytes: int(64, 1024 * 1024).default(32 * 1024),
        max_invoke_depth: int(1, 32).default(5),
        max_nested_invokes: int(1, 100_000).default(200),
        /** Looks (view.balance, view.artifact) a contract may take per decision. */
        max_view_calls: int(1, 10_000).default(64),
        /** Bridge calls one command may make (each runs the command again once it is answered). */
        max_bridge_calls: int(1, 64).default(8),
        /**
         * Calls (the call itself and every nested one) a command may draw from its caller's window unless
         * the caller allows more with max_calls (up to max_nested_invokes + 1): a tool cannot spend much of
         * its caller's window by surprise.
         */
        default_max_calls: int(1, 100_001).default(64),
        max_output_bytes: int(64, 16 * 1024 * 1024).default(256 * 1024),
        max_log_bytes: int(0, 1024 * 1024).default(16 * 1024),
        max_list_limit: int(1, 10_000).default(100),
        default_list_limit: int(1, 10_000).default(20),
        max_memo_chars: int(0, 10_000).default(200),
        max_price: int(0).default(1_000_000_000),
        max_search_query_chars: int(1, 10_000).default(200),
        /** Events a filtered event read examines per call (the log has no per-filter indexes; see EventLog.read). */
        max_event_scan: int(100, 10_000_000).default(20_000),
        /** Commands one principal may have waiting in a server process's queue; more are refused with RATE_LIMITED. */
        max_queued_per_principal: int(1, 100_000).default(256),
      })
      .strict()
      .prefault({}),
    sandbox: z
      .object({
        memory_bytes: int(1024 * 1024, 1024 * 1024 * 1024).default(32 * 1024 * 1024),
        /** Larger than 256 KiB crashes the host thread (ENVIRONMENT.md). */
        stack_bytes: int(16 * 1024, 256 * 1024).default(256 * 1024),
        /** Guest CPU budget per top-level command, further capped by the caller's cpu_ms window. */
        cpu_ms: int(1, 60_000).default(100),
        contract_cpu_ms: int(1, 10_000).default(25),
        /**
         * Guest time past a session's CPU budget after which its worker is killed: the interrupt handler
         * cannot stop a native operation (a huge join or split). Guest time excludes the host's time
         * serving the guest's calls. The budget leaves room for it in the caller's cpu_ms window, and a
         * killed session is charged its budget plus the grace.
         */
        kill_grace_ms: int(1, 60_000).default(50),
        /** Wall-clock backstop for a whole session, time serving the guest's calls included. */
        hard_kill_ms: int(10, 300_000).default(2_000),
        message_bytes: int(64 * 1024, 256 * 1024 * 1024).default(8 * 1024 * 1024),
        /** Microseconds to busy-wait for the other thread before blocking; trades CPU for latency. */
        spin_us: int(0, 100_000).default(500),
        worker_start_ms: int(100, 120_000).default(30_000),
        /** Sandbox worker threads per process; each rebuilds its runtime while the others serve. More helps only with spare cores. */
        workers: int(1, 16).default(1),
      })
      .strict()
      .prefault({}),
    contracts: z
      .object({
        /** Used when an artifact names no contract, or its contract is missing or deleted. */
        default: z.enum(Object.keys(BUILTIN_CONTRACTS) as [string, ...string[]]).default('genesis_contract_freeware'),
        max_cost: int(0).default(1_000_000),
      })
      .strict()
      .prefault({}),
    mint: z
      .object({
        /** Time between auction resolutions. */
        period_ms: int(1_000, 30 * 86_400_000).default(3_600_000),
        /** World time (epoch ms) of the first resolution; 0 means one period after the world was created. */
        first_at: int(0).default(0),
        /** Winners per auction; they all pay the (slots+1)th bid. */
        slots: int(1, 100).default(1),
        minimum_bid: int(1).default(1),
        /** Scrip minted = score / mint_ratio, rounded down. */
        mint_ratio: int(1).default(10),
        scorer: z.enum(['usage', 'llm']).default('usage'),
        /** Usage scorer: points per distinct other principal who paid to use the artifact since its last scoring (score capped at 100). */
        usage_points_per_payer: int(1, 100).default(10),
        llm: z
          .object({
            /**
             * A name from llm.endpoints: the scorer calls it through the LLM gateway. Absent, the fields
             * below describe the endpoint (kept so that worlds configured before endpoints still open).
             */
            endpoint: z.string().regex(ENDPOINT_NAME).optional(),
            base_url: z.string().url().default('http://127.0.0.1:11434/v1'),
            model: z.string().min(1).default('gpt-4o-mini'),
            /** Environment variable holding the API key (never stored in the world). */
            api_key_env: z.string().min(1).default('ECOLOGY_LLM_API_KEY'),
            timeout_ms: int(100, 600_000).default(30_000),
            max_code_chars: int(100, 1_000_000).default(20_000),
            /** If scoring fails: true refunds the winner's price; false pays it out as UBI with nothing minted. */
            refund_on_failure: z.boolean().default(true),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    llm: z
      .object({
        /**
         * OpenAI-compatible chat endpoints (OpenAI, vLLM, llama.cpp, Ollama), by name. Agents and the mint's
         * scorer name one; the key is read from `api_key_env` at call time and never stored in the world.
         */
        endpoints: z.record(z.string().regex(ENDPOINT_NAME), EndpointSchema).default({}),
        /** The endpoint an agent uses when it names none (must be in endpoints). */
        default_endpoint: z.string().regex(ENDPOINT_NAME).optional(),
        /** An LLM call reserved but never settled (its process died) is settled at its estimate after this long. */
        reservation_ttl_ms: int(1_000, 86_400_000).default(600_000),
      })
      .strict()
      .prefault({}),
    bridges: z
      .object({
        /** Whether serving processes (serve, stdio, agents run) run the world's bridges. */
        enabled: z.boolean().default(true),
        /** The folder of bridge definitions (default: the package's bridges/). */
        folder: z.string().min(1).max(1_000).optional(),
        /**
         * The operator's own upstream servers, in Claude Desktop's `mcpServers` format (paste its block here);
         * they replace a pre-seeded server of the same name. Checked when the bridges are loaded.
         */
        mcpServers: z.record(z.string().max(32), z.record(z.string(), z.unknown())).default({}),
        /** The world's settings for those servers, by name (description, fee, isolation, …; see bridges/). */
        settings: z.record(z.string().max(32), z.record(z.string(), z.unknown())).default({}),
        /** Where principals' own folders for bridges are kept (default: next to the world file, <file>.files). */
        files_dir: z.string().min(1).max(1_000).optional(),
        /** Upstream processes running at once; the idlest is stopped to make room. */
        max_processes: int(1, 1_000).default(16),
        start_timeout_ms: int(1_000, 120_000).default(20_000),
      })
      .strict()
      .prefault({}),
    packages: z
      .object({
        /** Whether package_install fetches from the registry (off: only what is installed can be imported). */
        enabled: z.boolean().default(true),
        /** The npm registry (default: the one npm on this machine is configured for). */
        registry: z.string().url().max(2_000).optional(),
        /** npm's cache folder for packuments and tarballs (default: npm's own). */
        cache_dir: z.string().min(1).max(1_000).optional(),
        /** Packages one install may fetch, its dependencies included. */
        max_packages: int(1, 2_000).default(150),
        /** Bytes one install's packages may unpack to, each file counted in whole 4 KiB blocks (checked from the tarball's headers, before writing). */
        max_download_bytes: int(1_024, 1_073_741_824).default(50 * 1024 * 1024),
        /** Bytes of one bundled library. */
        max_bundle_bytes: int(1_024, 16 * 1024 * 1024).default(2 * 1024 * 1024),
        /** Scrip an install pays: a base, plus this per KiB of bundle (burned). */
        fee_base: int(0, 1_000_000).default(5),
        fee_per_kib: int(0, 1_000_000).default(1),
        minify: z.boolean().default(true),
        /** Longest the registry may take for one request. */
        timeout_ms: int(1_000, 600_000).default(60_000),
      })
      .strict()
      .prefault({}),
    capabilities: z
      .object({
        /** Open capability requests one principal may back at once. */
        max_open_per_principal: int(1, 1_000).default(5),
        max_capability_chars: int(10, 1_000).default(200),
        max_reason_chars: int(10, 20_000).default(2_000),
      })
      .strict()
      .prefault({}),
    memory: z
      .object({
        /**
         * Where memory entries' embeddings come from, for search by meaning: 'none' (full-text search only),
         * 'local' (the Universal Sentence Encoder shipped in an npm package: offline, 512 dimensions, a worker
         * thread of about 200 MB), or 'openai' (an OpenAI-compatible /embeddings endpoint: base_url, model).
         */
        embeddings: z
          .object({
            provider: z.enum(['none', 'local', 'openai']).default('none'),
            base_url: z.string().url().optional(),
            model: z.string().min(1).max(200).optional(),
            api_key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
            /** Vector size asked of models that can shorten theirs; absent, the model's own. */
            dimensions: int(1, 8_192).optional(),
            timeout_ms: int(100, 600_000).default(30_000),
          })
          .strict()
          .refine((e) => e.provider !== 'openai' || (e.base_url !== undefined && e.model !== undefined), { message: "provider 'openai' needs base_url and model" })
          .prefault({}),
        /** Where the vectors are kept: 'libsql' (the world's own file) or 'qdrant' (a Qdrant server at url). */
        vector_store: z
          .object({
            kind: z.enum(['libsql', 'qdrant']).default('libsql'),
            url: z.string().url().optional(),
            api_key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
            collection: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('agent_ecology_memory'),
            timeout_ms: int(100, 600_000).default(10_000),
          })
          .strict()
          .refine((v) => v.kind !== 'qdrant' || v.url !== undefined, { message: "kind 'qdrant' needs url" })
          .prefault({}),
        /**
         * CPU milliseconds charged to a memory_write's caller for embedding the entry later: a base, and more per
         * 1,000 characters (measured with the offline model: about 3 ms for a sentence, about 100 ms for 4,000
         * characters; `npm run bench -- --only memory`).
         */
        write_cpu_ms: int(0, 10_000).default(3),
        write_cpu_ms_per_1k_chars: int(0, 100_000).default(30),
        /** Entries embedded per batch by the background indexer (each batch is one short write). */
        index_batch: int(1, 64).default(16),
      })
      .strict()
      .prefault({}),
    agents: z
      .object({
        /** Whether `ecology serve` hosts the world's agents (`ecology agents run` hosts them regardless). */
        enabled: z.boolean().default(true),
        /** Agents taking a step at once, per host process. */
        max_running: int(1, 1_000).default(8),
        /**
         * Share of the host process's time (event-loop utilisation, in percent) above which it starts no new
         * agent step: hosted agents use what outside clients leave, never all of it.
         */
        max_host_share_pct: int(1, 100).default(50),
        /** Steps one agent may take per minute (its own config may ask for fewer). */
        steps_per_minute: int(1, 600).default(6),
        /** Tool calls one step may make; the model is told when it asks for more. */
        max_tool_calls_per_step: int(1, 64).default(8),
        /** Characters of prompt one step may send (older results are dropped first). */
        max_prompt_chars: int(1_000, 1_000_000).default(24_000),
        /** Characters of one tool result shown to the model. */
        max_result_chars: int(100, 100_000).default(4_000),
        /** Failed steps in a row after which an agent pauses itself with the last error as its reason. */
        max_consecutive_errors: int(1, 1_000).default(5),
        /** Backoff after a failed LLM call: base doubled per failure in a row, up to max, with jitter. */
        backoff_base_ms: int(10, 600_000).default(2_000),
        backoff_max_ms: int(10, 86_400_000).default(300_000),
        /** A step that has not finished in this long is abandoned; its late reply is discarded. */
        step_timeout_ms: int(1_000, 3_600_000).default(120_000),
        /** Bytes of one step's trace kept (larger traces are cut), and traces kept per agent. */
        trace_max_bytes: int(1_024, 10_000_000).default(32_768),
        traces_kept: int(1, 100_000).default(200),
        /** World time a trace is kept at most (whatever traces_kept says): 7 days by default. */
        trace_max_age_ms: int(60_000, 3_650 * 86_400_000).default(7 * 86_400_000),
      })
      .strict()
      .prefault({}),
    market: z
      .object({
        /**
         * World time a raised method price waits before callers pay it (they pay the old price meanwhile,
         * and artifact_info shows the change); cuts apply at once. 0 applies raises at once (callers must
         * then rely on max_price).
         */
        price_notice_ms: int(0, 30 * 86_400_000).default(600_000),
      })
      .strict()
      .prefault({}),
    /** Scrip price of genesis methods, keyed `artifact.method`; the price is burned. Unlisted methods are free. */
    costs: z.record(z.string().regex(/^genesis_[a-z0-9_]+\.[a-z_][a-z0-9_]*$/), int(0)).default({}),
    store: z
      .object({
        busy_timeout_ms: int(0, 600_000).default(10_000),
        synchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
        /** WAL pages between automatic checkpoints. Each checkpoint syncs; with ~15 pages a command, SQLite's 1000 checkpoints every ~60 commands. */
        wal_autocheckpoint: int(100, 1_000_000).default(10_000),
        /**
         * Bytes per database page, fixed when a world file is created (an existing world keeps its own).
         * A command writes every page it touches to the WAL, and its rows are small, so 1 KiB pages
         * write a quarter of the bytes 4 KiB pages do (about 10% faster per command, measured).
         */
        page_size: int(512, 65_536)
          .refine((n) => (n & (n - 1)) === 0, { message: 'must be a power of two from 512 to 65536' })
          .default(1024),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
export type Grant = z.infer<typeof GrantSchema>;
export const GRANT_ASSETS = Object.keys(GrantSchema.shape) as (keyof Grant)[];

export function parseConfig(input: unknown, source = 'config'): Config {
  const parsed = ConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new KernelError('INVALID_ARGS', `Invalid ${source}:\n${z.prettifyError(parsed.error)}\nFix the keys above; every key and its default is listed in the README.`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const cfg = parsed.data;
  if (cfg.limits.default_list_limit > cfg.limits.max_list_limit) {
    throw new KernelError('INVALID_ARGS', `Invalid ${source}: limits.default_list_limit (${cfg.limits.default_list_limit}) exceeds limits.max_list_limit (${cfg.limits.max_list_limit}).`);
  }
  const largestWrite = cfg.limits.max_content_bytes + cfg.limits.max_code_bytes + cfg.limits.max_interface_bytes;
  if (cfg.limits.max_args_bytes < largestWrite) {
    throw new KernelError('INVALID_ARGS', `Invalid ${source}: limits.max_args_bytes (${cfg.limits.max_args_bytes}) must fit the largest artifact write (content + code + interface = ${largestWrite}).`);
  }
  if (cfg.sandbox.contract_cpu_ms > cfg.sandbox.hard_kill_ms || cfg.sandbox.cpu_ms > cfg.sandbox.hard_kill_ms) {
    throw new KernelError('INVALID_ARGS', `Invalid ${source}: sandbox.hard_kill_ms must be at least sandbox.cpu_ms and sandbox.contract_cpu_ms.`);
  }
  const names = Object.keys(cfg.llm.endpoints);
  for (const [key, name] of [['llm.default_endpoint', cfg.llm.default_endpoint], ['mint.llm.endpoint', cfg.mint.llm.endpoint]] as const) {
    if (name !== undefined && !names.includes(name)) {
      throw new KernelError('INVALID_ARGS', `Invalid ${source}: ${key} names '${name}', which is not in llm.endpoints (${names.length ? names.join(', ') : 'none configured'}).`);
    }
  }
  return cfg;
}

export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KernelError('NOT_FOUND', `Cannot read config file ${path}: ${(err as Error).message}. Pass an existing JSON file with --config, or omit it to use the defaults.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new KernelError('INVALID_ARGS', `Config file ${path} is not valid JSON: ${(err as Error).message}.`);
  }
  return parseConfig(json, `config file ${path}`);
}

export const defaultConfig = (): Config => parseConfig({});
