/**
 * Fleet incidents in a real browser, against the real Worker: two hosts of one group report the
 * same service down through the agent API, the edge folds them into one fleet incident, and the
 * dashboard lists it, opens it with both member issues linked, and links each issue back to it.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../scripts/lib/lab.mjs";
import { api } from "../../scripts/lib/stack.mjs";
import type { FleetIncident } from "../../worker/schemas/fleet";
import { screenshots } from "./support/harness";
import { type Lab, useLabBrowser } from "./support/lab-browser";

const GROUP = "web";

/** Enrols a host into the group (as an agent without a host key would) and reports nginx down. */
async function failingHost(lab: Lab, enrollToken: string, name: string) {
  const { agentToken } = await api(lab.worker.url, enrollToken, "POST", "/api/v1/agent/enroll", {
    name,
    hostname: `${name}.local`,
    os: "Debian 12",
    group: GROUP,
  });
  await api(lab.worker.url, agentToken, "POST", "/api/v1/agent/report", {
    protocol: 1,
    samples: [{ ts: new Date().toISOString(), metrics: { cpu: 12, memory: 30, disk: 40, load1: 0.4 } }],
    services: [{ name: "nginx", kind: "systemd", status: "down" }],
  });
}

describe("fleet incidents in the dashboard", () => {
  const env = useLabBrowser({ services: 0, interval: 2, hostName: "incidents-lab" });
  let lab: Lab;
  let page: Page;
  let incident: FleetIncident;

  beforeAll(async () => {
    ({ lab, page } = env);
    const { token } = await lab.call("POST", "/api/v1/tokens", { scope: "enroll", name: "web hosts" });
    await failingHost(lab, token, "web-1");
    await failingHost(lab, token, "web-2");
    incident = await waitFor(async () => (await lab.call("GET", "/api/v1/incidents")).items[0], {
      what: "the fleet incident",
    });
  });

  it("lists the incident from the navigation and opens it with both member issues linked", async () => {
    expect(incident).toMatchObject({ group: GROUP, rule: "service_down", hosts: 2, status: "open" });
    await page.goto(lab.worker.url);
    await page.getByTestId("signin-token").fill(lab.adminToken);
    await page.getByTestId("signin-submit").click();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Incidents" }).click();

    const row = page.locator(`[data-testid="incident-row"][data-incident-id="${incident.id}"]`);
    await row.waitFor();
    // the lab's own interval setting, made just before, is named as the probable cause
    expect(incident.probableCause).toMatchObject({ kind: "config" });
    const text = await row.textContent();
    expect(text).toMatch(/^service_down · nginxweb2/);
    expect(text).toContain(`${incident.probableCause?.summary}open`);
    await screenshots(page, "incidents");

    await row.getByTestId("incident-link").click();
    await page.getByTestId("incident-title").filter({ hasText: "on 2 hosts of web" }).waitFor();
    await expect(page.getByTestId("incident-cause").textContent()).resolves.toContain(
      incident.probableCause?.summary,
    );
    const members = page.getByTestId("incident-member");
    await waitFor(async () => (await members.count()) === 2, { what: "both member issues" });
    const hosts = (await members.allTextContents()).map((t) => t.match(/web-\d/)?.[0]).sort();
    expect(hosts).toEqual(["web-1", "web-2"]);
    expect(await members.filter({ hasText: "lead" }).count()).toBe(1);

    // a member issue links back to its fleet incident
    const second = members.filter({ hasText: "web-2" });
    const issueId = await second.getAttribute("data-issue-id");
    await second.getByTestId("incident-member-issue").click();
    await page.waitForURL(`**/issues/${issueId}`);
    await page.getByTestId("issue-fleet-incident").click();
    await page.waitForURL(`**/incidents/${incident.id}`);
    await page.getByTestId("incident-title").waitFor();
  });
});
