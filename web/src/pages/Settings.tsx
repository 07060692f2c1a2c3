import { useEffect } from "preact/hooks";
import { getScopes } from "../api";
import { ChannelManager } from "../components/ChannelManager";
import { ConfigForm } from "../components/ConfigForm";
import { ConfirmationEditor } from "../components/ConfirmationEditor";
import { HealingSwitch } from "../components/HealingSwitch";
import { MaintenanceManager } from "../components/MaintenanceManager";
import { MyPasskeys } from "../components/MyPasskeys";
import { MySessions } from "../components/MySessions";
import { Panel } from "../components/Panel";
import { PeopleManager } from "../components/PeopleManager";
import { ScopeList } from "../components/ScopeView";
import { TokenManager } from "../components/TokenManager";
import { useLive } from "../live";
import { usePoll } from "../usePoll";

/** The self-healing switch, the config document, notification channels, maintenance windows, tokens. */
export function Settings() {
  const { config, isAdmin, canOperate, session } = useLive();
  const scopes = usePoll(getScopes, 60_000);
  // The shared config may be up to one poll old: fetch it fresh for the form.
  useEffect(() => config.refresh(), [config.refresh]);
  return (
    <>
      <h1>Settings</h1>
      {!isAdmin && (
        <p class="note" data-testid="settings-readonly">
          Only admin sessions change settings; you can see them here.
        </p>
      )}
      <section class="panel" aria-labelledby="switch-title">
        <h2 id="switch-title">Self-healing</h2>
        <HealingSwitch
          enabled={config.data?.enabled}
          configVersion={config.updatedAt}
          canWrite={isAdmin}
          onChanged={config.refresh}
        />
        <p class="muted small">When off, issues are still detected and shown, but nothing is recovered.</p>
      </section>

      <section class="panel" aria-labelledby="config-title">
        <h2 id="config-title">Monitoring and recovery</h2>
        {config.data ? (
          <ConfigForm config={config.data} canWrite={isAdmin} onSaved={config.set} />
        ) : config.loading ? (
          <p class="note">Loading…</p>
        ) : (
          <p class="error-text" role="alert">
            Could not load the settings: {config.error?.message}
          </p>
        )}
      </section>

      <section class="panel" aria-labelledby="approval-title">
        <h2 id="approval-title">Approvals</h2>
        <p class="muted small">Issues wait in “awaiting approval” until someone approves or rejects.</p>
        {config.data && <ConfirmationEditor config={config.data} canWrite={isAdmin} onSaved={config.set} />}
      </section>

      <section class="panel" aria-labelledby="channels-title">
        <h2 id="channels-title">Notification channels</h2>
        <ChannelManager canWrite={isAdmin} canTest={canOperate} />
      </section>

      <section class="panel" aria-labelledby="windows-title">
        <h2 id="windows-title">Maintenance windows</h2>
        <p class="muted small">
          While a window is in force, issues are still detected, but nothing is recovered automatically and no
          notifications go out for the hosts, group or rule it matches.
        </p>
        <MaintenanceManager canWrite={isAdmin} />
      </section>

      <Panel id="scopes" title="Per group and per host" poll={scopes}>
        {(list) => (
          <>
            <p class="muted small">
              Thresholds and rules a host group or a host sets over the ones above: the host's own win over
              its group's, which win over the organisation's. Each host's page shows what is in force there.
            </p>
            <ScopeList items={list.items} />
          </>
        )}
      </Panel>

      {isAdmin && (
        <section class="panel" aria-labelledby="people-title">
          <h2 id="people-title">People</h2>
          <PeopleManager />
        </section>
      )}

      <section class="panel" aria-labelledby="my-sessions-title">
        <h2 id="my-sessions-title">My sessions</h2>
        <MySessions />
      </section>

      {session.userId && (
        <section class="panel" aria-labelledby="my-passkeys-title">
          <h2 id="my-passkeys-title">My passkeys</h2>
          <MyPasskeys />
        </section>
      )}

      {isAdmin && (
        <section class="panel" aria-labelledby="tokens-title">
          <h2 id="tokens-title">API tokens</h2>
          <TokenManager />
        </section>
      )}
    </>
  );
}
