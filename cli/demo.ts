/**
 * `npm start` (`esc-aws-oidc demo`): the whole aws-login flow on this machine, with no cloud account.
 *
 * 1. starts the sandbox (a local OIDC issuer standing in for Pulumi Cloud, a local STS standing in for AWS);
 * 2. builds the `EscOidcRole` trust policy for organization `acme` and two environments, and registers the OIDC
 *    provider and the role in the sandbox;
 * 3. mints an ESC token for an allowed environment and performs the aws-login through the `AwsLogin` provider
 *    code, then proves the credentials with `GetCallerIdentity` (the assumed-role ARN);
 * 4. shows a refused environment with `explainLogin`'s explanation and STS's answer, and a duration above the
 *    role's maximum with its fix;
 * 5. shows the lifecycle: no new login for a fresh token, renewal inside the window, retries when STS throttles;
 * 6. stops the sandbox.
 *
 * Tokens, secret keys and session tokens are never printed: every line passes through a redactor that knows every
 * secret the demo handled.
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { escAudience, escSubject } from "../lib/claims/grammar";
import { LoginError } from "../lib/core/errors";
import { explainLogin } from "../lib/iam/explain";
import { buildTrustPolicy, oidcProviderArn, renderTrustPolicy } from "../lib/iam/trust";
import { loginProvider, renewalDue, type AwsLoginInputs } from "../provider/loginProvider";
import { startSandbox, type Sandbox } from "../sandbox";
import { processIo, type CliIo } from "./io";

/** The sample the demo uses. */
export const DEMO = {
  organization: "acme",
  project: "payments",
  allowed: ["dev", "staging"],
  refused: "prod",
  accountId: "123456789012",
  roleName: "acme-payments-esc",
  sessionName: "pulumi-esc",
  maxSessionDuration: 3600,
} as const;

/** Replaces every secret the demo handled (tokens, secret keys, session tokens) before anything is printed. */
class Redactor {
  private readonly secrets = new Set<string>();

  constructor(private readonly onSecret?: (value: string) => void) {}

  add(...values: (string | undefined)[]): void {
    for (const v of values) {
      if (typeof v === "string" && v.length >= 8) {
        this.secrets.add(v);
        this.onSecret?.(v);
      }
    }
  }

  scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join("[redacted]");
    return out;
  }
}

/** `ASIA…WXYZ`-style hint of an access key ID: the prefix and the last four characters. */
function keyHint(accessKeyId: string): string {
  return accessKeyId.length > 8
    ? `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}`
    : "[redacted]";
}

/** Splits `text` into lines of at most `width` characters at spaces (a longer word stays whole). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** Width of the demo's wrapped text (advice lines), indentation excluded. */
const WRAP = 96;

/** Options of `runDemo`. */
export interface DemoOptions {
  /** Told every secret the demo handles (tokens, secret keys, session tokens): lets a leak scan look for them. */
  onSecret?: (value: string) => void;
}

/**
 * Runs the demo, writing to `io.stdout`; resolves to the exit code (0 when every step behaved as shown).
 */
export async function runDemo(io: CliIo = processIo(), options: DemoOptions = {}): Promise<number> {
  const redactor = new Redactor(options.onSecret);
  const out = (line = ""): void => {
    io.stdout.write(`${redactor.scrub(line)}\n`);
  };
  const step = (n: number, title: string): void => {
    out();
    out(`${n}. ${title}`);
  };

  /**
   * A login error as its headline (the message before its advice) and one bullet per advice line, wrapped;
   * advice already printed (`shown`) is not repeated.
   */
  const loginError = (e: unknown, shown: ReadonlySet<string> = new Set()): void => {
    const message = e instanceof Error ? e.message : String(e);
    const advice = e instanceof LoginError ? e.advice : [];
    const cut = message.indexOf(" — ");
    if (advice.length === 0 || cut === -1) {
      out(`   AwsLogin error      ${message}`);
      return;
    }
    out(`   AwsLogin error      ${message.slice(0, cut)}`);
    for (const a of advice) {
      if (shown.has(a)) continue;
      wrapText(a, WRAP).forEach((l, i) => out(`${i === 0 ? "     - " : "       "}${l}`));
    }
  };

  // The AWS SDK warns about this Node.js version on stderr in the middle of the demo's output: the demo
  // process turns that off unless the user set the variable.
  const sdkWarning = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";
  const setSdkWarning = process.env[sdkWarning] === undefined;
  if (setSdkWarning) process.env[sdkWarning] = "true";

  let sandbox: Sandbox | undefined;
  try {
    out(
      "esc-aws-oidc demo — Pulumi ESC's aws-login, end to end, on this machine (no cloud account)",
    );

    step(1, "Start the sandbox (local OIDC issuer + local STS, 127.0.0.1 only)");
    sandbox = await startSandbox({ tokenLifetimeSeconds: 600 });
    out(`   issuer (in tokens)  ${sandbox.issuerUrl}`);
    out(`   issuer (served at)  ${sandbox.issuerEndpoint}`);
    out(`   STS endpoint        ${sandbox.stsEndpoint}  (region ${sandbox.region})`);

    step(2, `Trust: EscOidcRole's policy for organization "${DEMO.organization}"`);
    const audience = escAudience({ organization: DEMO.organization });
    const subjects = DEMO.allowed.map((environment) =>
      escSubject({ organization: DEMO.organization, project: DEMO.project, environment }),
    );
    const policy = buildTrustPolicy({
      accountId: DEMO.accountId,
      audience,
      subjects,
      organization: DEMO.organization,
    });
    const providerArn = oidcProviderArn({ accountId: DEMO.accountId });
    const roleArn = `arn:aws:iam::${DEMO.accountId}:role/${DEMO.roleName}`;
    out(`   audience            ${audience}`);
    for (const s of subjects) out(`   allowed subject     ${s}`);
    out(`   trust policy:`);
    for (const line of JSON.stringify(JSON.parse(renderTrustPolicy(policy)), null, 2).split("\n")) {
      out(`     ${line}`);
    }
    sandbox.registerProvider({ arn: providerArn, clientIds: [audience] });
    sandbox.registerRole({
      arn: roleArn,
      trustPolicy: policy,
      maxSessionDuration: DEMO.maxSessionDuration,
    });
    out(`   registered          ${providerArn}`);
    out(`   registered          ${roleArn} (MaxSessionDuration ${DEMO.maxSessionDuration} s)`);

    const environment = DEMO.allowed[0];
    step(
      3,
      `Log in from ${DEMO.organization}/${DEMO.project}/${environment} through the AwsLogin provider`,
    );
    const token = await sandbox.mintToken({
      organization: DEMO.organization,
      project: DEMO.project,
      environment,
    });
    redactor.add(token);
    out(`   ESC token           [redacted, ${token.length} characters]`);
    const inputs: AwsLoginInputs = {
      oidc: { roleArn, sessionName: DEMO.sessionName, duration: "1h" },
      webIdentityToken: token,
      region: sandbox.region,
      stsEndpoint: sandbox.stsEndpoint,
      expectedTrust: { trustPolicy: renderTrustPolicy(policy), clientIds: [audience] },
    };
    const callsBefore = sandbox.calls.AssumeRoleWithWebIdentity;
    const login = await loginProvider.create(inputs);
    const outs = login.outs;
    redactor.add(outs.secretAccessKey, outs.sessionToken);
    out(
      `   STS calls           ${sandbox.calls.AssumeRoleWithWebIdentity - callsBefore} (AssumeRoleWithWebIdentity)`,
    );
    out(`   accessKeyId         ${keyHint(outs.accessKeyId)} (secret output)`);
    out(`   secretAccessKey     [redacted] (secret output)`);
    out(`   sessionToken        [redacted] (secret output)`);
    out(`   expiration          ${outs.expiration}`);
    out(`   subject             ${outs.subject}`);
    out(`   audience            ${outs.audience}`);
    out(`   resource id         ${login.id}`);

    step(4, "Prove the credentials: GetCallerIdentity signed with them");
    const sts = new STSClient({
      region: sandbox.region,
      endpoint: sandbox.stsEndpoint,
      maxAttempts: 1,
      credentials: {
        accessKeyId: outs.accessKeyId,
        secretAccessKey: outs.secretAccessKey,
        sessionToken: outs.sessionToken,
      },
    });
    let callerArn: string | undefined;
    try {
      const me = await sts.send(new GetCallerIdentityCommand({}));
      callerArn = me.Arn;
      out(`   account             ${me.Account}`);
      out(`   assumed-role ARN    ${me.Arn}`);
    } finally {
      sts.destroy();
    }

    step(5, `A refused environment: ${DEMO.organization}/${DEMO.project}/${DEMO.refused}`);
    const refusedToken = await sandbox.mintToken({
      organization: DEMO.organization,
      project: DEMO.project,
      environment: DEMO.refused,
    });
    redactor.add(refusedToken);
    const explanation = explainLogin({
      policy: renderTrustPolicy(policy),
      clientIds: [audience],
      token: refusedToken,
      providerArn,
    });
    out(
      `   explainLogin        ${explanation.allowed ? "allowed" : "refused"} (${explanation.decision}${explanation.stsError ? `, STS would answer ${explanation.stsError}` : ""})`,
    );
    const explained = new Set<string>();
    for (const r of explanation.reasons.filter((x) => x.severity !== "info")) {
      out(`     - [${r.code}] ${r.message}`);
      explained.add(`[${r.code}] ${r.message}`);
    }
    let refusedCode: string | undefined;
    try {
      await loginProvider.create({ ...inputs, webIdentityToken: refusedToken });
      out("   unexpected: STS issued credentials");
    } catch (e) {
      refusedCode = e instanceof LoginError ? e.awsCode : undefined;
      out(`   STS answered        ${refusedCode ?? (e as Error).name}`);
      loginError(e, explained);
    }

    step(
      6,
      `A duration above the role's maximum: oidc.duration "2h" (ESC's default) vs ${DEMO.maxSessionDuration} s`,
    );
    let durationCode: string | undefined;
    try {
      await loginProvider.create({
        ...inputs,
        oidc: { roleArn, sessionName: DEMO.sessionName, duration: "2h" },
        expectedTrust: undefined,
      });
      out("   unexpected: STS issued credentials");
    } catch (e) {
      durationCode = e instanceof LoginError ? e.awsCode : undefined;
      out(`   STS answered        ${durationCode ?? (e as Error).name}`);
      const fix = e instanceof LoginError ? e.advice[e.advice.length - 1] : undefined;
      loginError(e, new Set(fix === undefined ? [] : [fix]));
      if (fix !== undefined) out(`   fix                 ${fix}`);
    }

    step(7, "Lifecycle: renewal before expiry, and retries when STS throttles");
    const nextToken = await sandbox.mintToken({
      organization: DEMO.organization,
      project: DEMO.project,
      environment,
    });
    redactor.add(nextToken);
    const nextInputs: AwsLoginInputs = { ...inputs, webIdentityToken: nextToken };
    const freshDiff = await loginProvider.diff(login.id, outs, nextInputs);
    out(
      `   diff, new token     ${freshDiff.changes ? "change" : "no change"} (a freshly minted token alone is not a change)`,
    );
    // The same stored state 50 minutes later (the clock moves, the state does not): the 1 h credentials
    // expire in 10 minutes, at the expiration shown in step 3.
    const later = Date.now() + 50 * 60_000;
    const agedReason = renewalDue(outs, nextInputs, later);
    const agedDiff = await atTime(later, () => loginProvider.diff(login.id, outs, nextInputs));
    out(
      `   diff, 50 min later  ${agedDiff.changes ? "change" : "no change"}: ${agedReason ?? "-"}`,
    );
    const renewCalls = sandbox.calls.AssumeRoleWithWebIdentity;
    const renewed = await loginProvider.update(login.id, outs, nextInputs);
    redactor.add(renewed.outs.secretAccessKey, renewed.outs.sessionToken);
    const renewedCalls = sandbox.calls.AssumeRoleWithWebIdentity - renewCalls;
    out(
      `   update              ${renewedCalls} STS call, fresh credentials valid for ${Math.round(
        (Date.parse(renewed.outs.expiration) - Date.now()) / 60_000,
      )} min (the update runs now, not in the simulated future)`,
    );
    sandbox.faults.throttle({ times: 2 });
    const throttledCalls = sandbox.calls.AssumeRoleWithWebIdentity;
    const retried = await loginProvider.create(nextInputs);
    redactor.add(retried.outs.secretAccessKey, retried.outs.sessionToken);
    const retriedCalls = sandbox.calls.AssumeRoleWithWebIdentity - throttledCalls;
    out(
      `   throttled twice     logged in after ${retriedCalls} STS calls (Throttling is retried with jittered backoff)`,
    );

    out();
    const ok =
      callerArn ===
        `arn:aws:sts::${DEMO.accountId}:assumed-role/${DEMO.roleName}/${DEMO.sessionName}` &&
      refusedCode === "AccessDenied" &&
      durationCode === "ValidationError" &&
      !freshDiff.changes &&
      agedDiff.changes &&
      renewedCalls === 1 &&
      retriedCalls === 3;
    out(
      ok
        ? "Done: every step behaved as shown. No secret was printed."
        : "Done, but a step did not behave as expected (see above).",
    );
    return ok ? 0 : 1;
  } catch (e) {
    io.stderr.write(
      `${redactor.scrub(`demo failed: ${e instanceof Error ? e.message : String(e)}`)}\n`,
    );
    return 1;
  } finally {
    if (sandbox) await sandbox.stop();
    if (setSdkWarning) delete process.env[sdkWarning];
  }
}

/**
 * Runs `run` with `Date.now()` reading `time` (moving forward as the real clock does): the provider's diff is
 * pure (no STS call, no timer), so this shows what a `pulumi preview` at that time would decide.
 */
async function atTime<T>(time: number, run: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  const offset = time - realNow();
  Date.now = () => realNow() + offset;
  try {
    return await run();
  } finally {
    Date.now = realNow;
  }
}
