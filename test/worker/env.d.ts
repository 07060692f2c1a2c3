import type { D1Migration } from "@cloudflare/vitest-pool-workers";

declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      HOST: DurableObjectNamespace<import("../../worker/objects/host").HostObject>;
      ORG_EVENTS: DurableObjectNamespace<import("../../worker/objects/org-events").OrgEvents>;
      ASSETS: Fetcher;
      SELFHEAL_ADMIN_TOKEN?: string;
      TEST_MIGRATIONS: D1Migration[];
    }
    interface GlobalProps {
      mainModule: typeof import("../../worker/index");
    }
  }
}
