import { useState } from "preact/hooks";

/**
 * What to run on a host with a new enroll token: the install, `init` writing its config, the same
 * config by environment variables alone, and the config itself. The server URL is this dashboard's
 * own origin, which is where the Worker answers agents.
 */
export function EnrollInstructions({ token, server }: { token: string; server: string }) {
  const init = `sudo selfheal-agent init --server ${server} --token ${token} --config /etc/selfheal-agent/config.json`;
  const envOnly = `SELFHEAL_SERVER=${server} SELFHEAL_TOKEN=${token} selfheal-agent run`;
  const config = JSON.stringify({ server, token, actions: { health_check: true } }, null, 2);
  return (
    <div class="enroll-howto" data-testid="enroll-howto">
      <p>
        <strong>Add a host with this token.</strong> Install the agent (Node.js 20 or newer):{" "}
        <code>npm install -g selfheal-agent</code>; until the package is on the npm registry, install the
        tarball <code>npm pack</code> builds in the repository's <code>agent/</code> folder:{" "}
        <code>npm install -g ./selfheal-agent-*.tgz</code>.
      </p>
      <Snippet
        label="Write its config (commented, safe defaults), then run it"
        text={init}
        testId="enroll-init"
      />
      <Snippet label="Or with environment variables alone" text={envOnly} testId="enroll-env" />
      <Snippet label="The config it needs" text={config} testId="enroll-config" />
    </div>
  );
}

function Snippet({ label, text, testId }: { label: string; text: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <figure class="snippet">
      <figcaption>{label}</figcaption>
      <div class="control">
        <pre class="secret" data-testid={testId}>
          {text}
        </pre>
        <button type="button" class="btn small" onClick={copy} aria-label={`Copy: ${label}`}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </figure>
  );
}
