/**
 * A local stand-in for the Pulumi ESC REST endpoints `@pulumi/esc-sdk` calls (`/api/esc/environments/...`), on
 * 127.0.0.1. It records every request (method, path, query, auth header, body), keeps environment definitions in
 * memory, answers like the service does (200s, 401 without the expected token, 404, 409, 400 with diagnostics),
 * and "opens" environments by evaluating the small part of ESC that matters here: literal values, `fn::secret`,
 * imports, and `fn::open::aws-login` — static keys as given, OIDC through a hook the test provides (e.g. the
 * sandbox's STS), so the whole chain can run locally.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { parse } from "yaml";

export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/api/esc/environments/acme/aws/login/open`. */
  path: string;
  query: Record<string, string>;
  /** The Authorization header as received (tests assert it; never print it). */
  authorization: string | undefined;
  contentType: string | undefined;
  userAgent: string | undefined;
  body: string;
}

export interface Diagnostic {
  summary: string;
  path?: string;
}

/** What the OIDC hook returns (or throws, with a message that becomes a diagnostic). */
export interface StandInCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface StandInOptions {
  /** The token the stand-in accepts (`Authorization: token <it>`). Defaults to `pul-standin-token`. */
  token?: string;
  /**
   * Performs an `oidc` aws-login. Receives the `oidc` block and which environment is being opened.
   * Throw to produce an open-time diagnostic. Default: a fixed set of fake session credentials.
   */
  oidcLogin?: (
    oidc: Record<string, unknown>,
    context: { organization: string; project: string; environment: string },
  ) => Promise<StandInCredentials> | StandInCredentials;
}

/** A canned answer for the next request that matches. */
export interface Fault {
  method?: string;
  path?: RegExp;
  status: number;
  body?: unknown;
  /** How many matching requests to answer this way. Defaults to 1. */
  times?: number;
}

interface StoredEnvironment {
  yaml: string;
  revision: number;
}

interface OpenSession {
  properties: Record<string, unknown>;
}

export interface EscStandIn {
  /** The backend URL (what `PULUMI_BACKEND_URL` holds): `http://127.0.0.1:<port>`. */
  backendUrl: string;
  /** The ESC API base: `<backendUrl>/api/esc`. */
  apiBase: string;
  token: string;
  requests: RecordedRequest[];
  environments: Map<string, StoredEnvironment>;
  /** Stores a definition directly (as if created earlier). */
  seed(organization: string, project: string, environment: string, yaml: string): void;
  /** Queues canned answers. */
  faults: Fault[];
  /** Diagnostics `yaml/check` and PATCH answer for a definition (default: none, plus YAML syntax errors). */
  checkDiagnostics: (yaml: string) => Diagnostic[];
  stop(): Promise<void>;
}

const SECRET = Symbol("secret");

function key(org: string, project: string, env: string): string {
  return `${org}/${project}/${env}`;
}

function defaultCheck(yaml: string): Diagnostic[] {
  try {
    const doc = parse(yaml) as unknown;
    if (doc !== null && (typeof doc !== "object" || Array.isArray(doc))) {
      return [{ summary: "environment definition must be a mapping" }];
    }
  } catch (e) {
    return [{ summary: `syntax error: ${(e as Error).message.split("\n")[0]}` }];
  }
  return [];
}

/** Turns a plain evaluated tree (secrets marked) into ESC `Value`s as the service returns them. */
function toValue(v: unknown, environment: string, path: string): Record<string, unknown> {
  const trace = {
    def: {
      environment,
      begin: { line: 1, column: 1, byte: 0 },
      end: { line: 1, column: 1, byte: 0 },
    },
  };
  if (v !== null && typeof v === "object" && SECRET in (v as object)) {
    return { value: (v as { value: unknown }).value, secret: true, trace };
  }
  if (Array.isArray(v))
    return { value: v.map((x, i) => toValue(x, environment, `${path}[${i}]`)), trace };
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toValue(x, environment, `${path}.${k}`);
    return { value: out, trace };
  }
  return { value: v, trace };
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(SECRET in v);
}

/** ESC merges imported values into the importing environment's deeply (later wins). */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out;
}

/** Resolves whole-string references such as `${aws.login.accessKeyId}` (keeping secrecy); other strings stay. */
function interpolate(node: unknown, root: Record<string, unknown>): unknown {
  if (typeof node === "string") {
    const m = /^\$\{([A-Za-z_][\w.-]*)\}$/.exec(node);
    if (!m) return node;
    let v: unknown = root;
    for (const segment of (m[1] as string).split(".")) {
      if (v === null || typeof v !== "object" || SECRET in v) return node;
      v = (v as Record<string, unknown>)[segment];
    }
    return v === undefined ? node : v;
  }
  if (Array.isArray(node)) return node.map((x) => interpolate(x, root));
  if (isPlain(node)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolate(v, root);
    return out;
  }
  return node;
}

export async function startEscStandIn(options: StandInOptions = {}): Promise<EscStandIn> {
  const token = options.token ?? "pul-standin-token";
  const requests: RecordedRequest[] = [];
  const environments = new Map<string, StoredEnvironment>();
  const sessions = new Map<string, OpenSession>();
  const faults: Fault[] = [];
  let sessionCounter = 0;
  const oidcLogin =
    options.oidcLogin ??
    (() => ({
      accessKeyId: "ASIASTANDINEXAMPLE01",
      secretAccessKey: "standin/secret/access/key/EXAMPLEKEY000",
      sessionToken: "FwoStandInSessionToken//example",
    }));

  const standIn: EscStandIn = {
    backendUrl: "",
    apiBase: "",
    token,
    requests,
    environments,
    faults,
    checkDiagnostics: defaultCheck,
    seed(org, project, env, yaml) {
      environments.set(key(org, project, env), { yaml, revision: 1 });
    },
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  /** Evaluates one environment's definition: imports first (later ones override), then its own values. */
  async function evaluate(
    org: string,
    project: string,
    env: string,
    seen: Set<string>,
  ): Promise<{ values: Record<string, unknown>; diagnostics: Diagnostic[] }> {
    const stored = environments.get(key(org, project, env));
    if (!stored)
      return { values: {}, diagnostics: [{ summary: `unknown environment "${project}/${env}"` }] };
    if (seen.has(key(org, project, env))) {
      return { values: {}, diagnostics: [{ summary: `cyclic import of "${project}/${env}"` }] };
    }
    seen.add(key(org, project, env));
    const doc = (parse(stored.yaml) ?? {}) as {
      imports?: unknown[];
      values?: Record<string, unknown>;
    };
    let values: Record<string, unknown> = {};
    const diagnostics: Diagnostic[] = [];
    for (const entry of doc.imports ?? []) {
      const ref = typeof entry === "string" ? entry : (Object.keys(entry as object)[0] ?? "");
      const [p, e] = ref.includes("/") ? ref.split("/") : ["default", ref];
      const imported = await evaluate(org, p as string, e as string, seen);
      diagnostics.push(...imported.diagnostics);
      values = deepMerge(values, imported.values) as Record<string, unknown>;
    }
    const context = { organization: org, project, environment: env };
    const own = await evalNode(doc.values ?? {}, "values", context, diagnostics);
    values = deepMerge(values, own) as Record<string, unknown>;
    return { values: interpolate(values, values) as Record<string, unknown>, diagnostics };
  }

  async function evalNode(
    node: unknown,
    path: string,
    context: { organization: string; project: string; environment: string },
    diagnostics: Diagnostic[],
  ): Promise<unknown> {
    if (Array.isArray(node)) {
      return Promise.all(node.map((x, i) => evalNode(x, `${path}[${i}]`, context, diagnostics)));
    }
    if (node === null || typeof node !== "object") return node;
    const obj = node as Record<string, unknown>;
    if ("fn::secret" in obj) return { [SECRET]: true, value: obj["fn::secret"] };
    if ("fn::open::aws-login" in obj) {
      const login = obj["fn::open::aws-login"] as Record<string, unknown>;
      if (login.static) {
        const s = login.static as Record<string, unknown>;
        const unwrap = (v: unknown) =>
          v !== null && typeof v === "object" && "fn::secret" in (v as object)
            ? (v as Record<string, unknown>)["fn::secret"]
            : v;
        return {
          accessKeyId: s.accessKeyId,
          secretAccessKey: { [SECRET]: true, value: unwrap(s.secretAccessKey) },
          sessionToken: { [SECRET]: true, value: unwrap(s.sessionToken) ?? "" },
        };
      }
      try {
        const creds = await oidcLogin(login.oidc as Record<string, unknown>, context);
        return {
          accessKeyId: creds.accessKeyId,
          secretAccessKey: { [SECRET]: true, value: creds.secretAccessKey },
          sessionToken: { [SECRET]: true, value: creds.sessionToken },
        };
      } catch (e) {
        diagnostics.push({ summary: (e as Error).message, path });
        return null;
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj))
      out[k] = await evalNode(v, `${path}.${k}`, context, diagnostics);
    return out;
  }

  function send(
    res: http.ServerResponse,
    status: number,
    body?: unknown,
    type = "application/json",
  ) {
    if (body === undefined) {
      res.writeHead(status);
      res.end();
      return;
    }
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { "content-type": type });
    res.end(text);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      authorization: req.headers.authorization,
      contentType: req.headers["content-type"],
      userAgent: req.headers["user-agent"],
      body,
    });

    const fault = faults.find(
      (f) =>
        (f.method === undefined || f.method === method) &&
        (f.path === undefined || f.path.test(url.pathname)),
    );
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
      return send(res, fault.status, fault.body);
    }

    if (req.headers.authorization !== `token ${token}`) {
      return send(res, 401, {
        code: 401,
        message: "Unauthorized: No credentials provided or are invalid.",
      });
    }
    const prefix = "/api/esc/environments/";
    if (!url.pathname.startsWith(prefix))
      return send(res, 404, { code: 404, message: "Not Found" });
    const parts = url.pathname.slice(prefix.length).split("/").map(decodeURIComponent);
    const [org, a, b, c, d] = parts;
    const notFound = () =>
      send(res, 404, { code: 404, message: `Environment '${a}/${b}' not found` });

    // POST /environments/{org}/yaml/check
    if (method === "POST" && parts.length === 3 && a === "yaml" && b === "check") {
      const diagnostics = standIn.checkDiagnostics(body);
      if (diagnostics.length > 0)
        return send(res, 400, { code: 400, message: "Bad Request", diagnostics });
      return send(res, 200, { exprs: {}, properties: {}, diagnostics: [] });
    }
    // POST /environments/{org}  { project, name }
    if (method === "POST" && parts.length === 1) {
      let create: { project?: string; name?: string };
      try {
        create = JSON.parse(body) as typeof create;
      } catch {
        return send(res, 400, { code: 400, message: "invalid JSON body" });
      }
      if (!create.project || !create.name)
        return send(res, 400, { code: 400, message: "project and name are required" });
      const k = key(org as string, create.project, create.name);
      if (environments.has(k)) {
        return send(res, 409, {
          code: 409,
          message: `Environment '${create.project}/${create.name}' already exists`,
        });
      }
      environments.set(k, { yaml: "", revision: 1 });
      return send(res, 200, undefined);
    }
    if (parts.length < 3) return send(res, 404, { code: 404, message: "Not Found" });
    const k = key(org as string, a as string, b as string);
    const stored = environments.get(k);

    if (parts.length === 3) {
      if (!stored) return notFound();
      if (method === "GET") return send(res, 200, stored.yaml, "application/x-yaml");
      if (method === "DELETE") {
        environments.delete(k);
        return send(res, 200, undefined);
      }
      if (method === "PATCH") {
        const diagnostics = standIn.checkDiagnostics(body);
        if (diagnostics.length > 0)
          return send(res, 400, { code: 400, message: "Bad Request", diagnostics });
        stored.yaml = body;
        stored.revision += 1;
        return send(res, 200, {});
      }
    }
    // POST /environments/{org}/{project}/{env}/open?duration=
    if (method === "POST" && parts.length === 4 && c === "open") {
      if (!stored) return notFound();
      const { values, diagnostics } = await evaluate(
        org as string,
        a as string,
        b as string,
        new Set(),
      );
      if (diagnostics.length > 0)
        return send(res, 400, { code: 400, message: "Bad Request", diagnostics });
      const id = `open-${++sessionCounter}`;
      const properties: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(values))
        properties[name] = toValue(v, `${a}/${b}`, name);
      sessions.set(`${k}/${id}`, { properties });
      return send(res, 200, { id });
    }
    // GET /environments/{org}/{project}/{env}/open/{id}
    if (method === "GET" && parts.length === 5 && c === "open") {
      const session = sessions.get(`${k}/${d}`);
      if (!session) return send(res, 404, { code: 404, message: `open session '${d}' not found` });
      return send(res, 200, { exprs: {}, properties: session.properties, schema: {} });
    }
    return send(res, 405, { code: 405, message: "Method Not Allowed" });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((e: unknown) =>
        send(res, 500, { code: 500, message: String(e) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  standIn.backendUrl = `http://127.0.0.1:${port}`;
  standIn.apiBase = `${standIn.backendUrl}/api/esc`;
  return standIn;
}
