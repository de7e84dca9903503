// Orchestration v1 and v2 through the gateway: workflows whose instances post real transactions to the
// real ledger (Temporal runs them), instances waiting for an event or aborted, histories, triggers.
import type { Formance } from "@formance/sdk";
import { beforeAll, expect, test } from "vitest";
import { expectAPIError } from "../lib/env";
import { collect, describeStack, eventually, sdk, uniqueName } from "./lib/stack";

function sendStage(ledger: string, destination: string, amount: number) {
  return {
    send: {
      source: { account: { id: "world", ledger } },
      destination: { account: { id: destination, ledger } },
      amount: { amount, asset: "USD/2" },
    },
  };
}

describeStack("orchestration", ["orchestration", "ledger"], () => {
  let f: Formance;
  let ledger: string;
  beforeAll(async () => {
    f = sdk();
    ledger = uniqueName("flows").replaceAll(".", "_");
    await f.ledger.v2.createLedger({ ledger, body: {} });
  });

  async function balanceOf(account: string): Promise<bigint> {
    const read = await f.ledger.v2.getAccount({ ledger, address: account, expand: "volumes" });
    return read.volumes?.["USD/2"]?.balance ?? 0n;
  }

  test("v2: server info, a workflow run to completion posts to the ledger, history per stage", async () => {
    // v2 has no server info route (docs/SERVER-BEHAVIOUR.md, Orchestration): the root one answers.
    await expectAPIError(f.orchestration.v2.getServerInfo({}), { status: 404 });
    const workflow = await f.orchestration.v2.createWorkflow({
      body: { name: uniqueName("wf2"), stages: [sendStage(ledger, "users:v2", 150)] },
    });
    expect(workflow.id).toMatch(/\S/);
    expect((await f.orchestration.v2.getWorkflow({ flowId: workflow.id })).id).toBe(workflow.id);
    expect((await collect(f.orchestration.v2.listWorkflows({}))).map((w) => w.id)).toContain(workflow.id);

    // `wait: true` answers once the instance started, not when it ends (docs/SERVER-BEHAVIOUR.md).
    const instance = await f.orchestration.v2.runWorkflow({ workflowID: workflow.id, wait: true, body: {} });
    expect(instance.workflowID).toBe(workflow.id);
    const done = await eventually("the v2 instance to terminate", async () => {
      const read = await f.orchestration.v2.getInstance({ instanceID: instance.id });
      return read.terminated ? read : undefined;
    });
    expect(done.error ?? "").toBe("");
    expect(await balanceOf("users:v2")).toBe(150n);
    const history = await f.orchestration.v2.getInstanceHistory({ instanceID: instance.id });
    expect(history.length).toBeGreaterThanOrEqual(1);
    const stage = await f.orchestration.v2.getInstanceStageHistory({ instanceID: instance.id, number: 0 });
    expect(stage.length).toBeGreaterThanOrEqual(1);
    expect(
      (await collect(f.orchestration.v2.listInstances({ workflowID: workflow.id }))).map((i) => i.id),
    ).toContain(instance.id);
  });

  test("v2: an instance waiting for an event continues when it is sent; another one is aborted", async () => {
    const workflow = await f.orchestration.v2.createWorkflow({
      body: { stages: [{ wait_event: { event: "go" } }, sendStage(ledger, "users:event2", 7)] },
    });
    const waiting = await f.orchestration.v2.runWorkflow({ workflowID: workflow.id, body: {} });
    await eventually("the instance to wait for its event", async () => {
      const read = await f.orchestration.v2.getInstance({ instanceID: waiting.id });
      return (read.status?.length ?? 0) > 0 ? read : undefined;
    });
    await eventually("the event to be accepted", async () => {
      await f.orchestration.v2.sendEvent({ instanceID: waiting.id, body: { name: "go" } });
      return true;
    });
    await eventually("the send after the event", async () =>
      (await balanceOf("users:event2")) === 7n ? true : undefined,
    );

    // Aborting a waiting instance is accepted; it stays readable (it was not seen to terminate here).
    const aborted = await f.orchestration.v2.runWorkflow({ workflowID: workflow.id, body: {} });
    await f.orchestration.v2.cancelEvent({ instanceID: aborted.id });
    expect((await f.orchestration.v2.getInstance({ instanceID: aborted.id })).id).toBe(aborted.id);

    // Deleting is a soft delete: the workflow stays readable, with its deletion time.
    await f.orchestration.v2.deleteWorkflow({ flowId: workflow.id });
    expect((await f.orchestration.v2.getWorkflow({ flowId: workflow.id })).deletedAt).toBeTruthy();
  });

  test("v2: triggers: create, read, list, test, occurrences, delete", async () => {
    const workflow = await f.orchestration.v2.createWorkflow({
      body: { stages: [sendStage(ledger, "users:t", 1)] },
    });
    const trigger = await f.orchestration.v2.createTrigger({
      body: {
        event: "COMMITTED_TRANSACTIONS",
        workflowID: workflow.id,
        name: uniqueName("trig"),
        filter: "true",
      },
    });
    expect(trigger.id).toMatch(/\S/);
    expect((await f.orchestration.v2.readTrigger({ triggerID: trigger.id })).workflowID).toBe(workflow.id);
    expect((await collect(f.orchestration.v2.listTriggers({}))).map((t) => t.id)).toContain(trigger.id);
    const tested = await f.orchestration.v2.testTrigger({ triggerID: trigger.id, body: { ledger } });
    expect(tested).toBeDefined();
    expect(await collect(f.orchestration.v2.listTriggersOccurrences({ triggerID: trigger.id }))).toEqual([]);
    await f.orchestration.v2.deleteTrigger({ triggerID: trigger.id });
    await expectAPIError(f.orchestration.v2.readTrigger({ triggerID: trigger.id }), { status: 404 });
  });

  test("v1: workflows, instances, events, abort, history, triggers", async () => {
    expect((await f.orchestration.v1.getServerInfo({})).version).toMatch(/\S/);
    const workflow = await f.orchestration.v1.createWorkflow({
      body: { name: uniqueName("wf1"), stages: [sendStage(ledger, "users:v1", 42)] },
    });
    expect((await f.orchestration.v1.getWorkflow({ flowId: workflow.id })).id).toBe(workflow.id);
    expect((await f.orchestration.v1.listWorkflows({})).map((w) => w.id)).toContain(workflow.id);
    const instance = await f.orchestration.v1.runWorkflow({ workflowID: workflow.id, wait: true, body: {} });
    await eventually("the v1 instance to terminate", async () => {
      const read = await f.orchestration.v1.getInstance({ instanceID: instance.id });
      return read.terminated ? read : undefined;
    });
    expect(await balanceOf("users:v1")).toBe(42n);
    expect((await f.orchestration.v1.getInstanceHistory({ instanceID: instance.id })).length).toBeGreaterThan(
      0,
    );
    expect(
      (await f.orchestration.v1.getInstanceStageHistory({ instanceID: instance.id, number: 0 })).length,
    ).toBeGreaterThan(0);
    expect((await f.orchestration.v1.listInstances({ workflowID: workflow.id })).map((i) => i.id)).toContain(
      instance.id,
    );

    const waiter = await f.orchestration.v1.createWorkflow({
      body: { stages: [{ wait_event: { event: "go" } }] },
    });
    const waiting = await f.orchestration.v1.runWorkflow({ workflowID: waiter.id, body: {} });
    await eventually("the v1 event to be accepted", async () => {
      await f.orchestration.v1.sendEvent({ instanceID: waiting.id, body: { name: "go" } });
      return true;
    });
    const aborted = await f.orchestration.v1.runWorkflow({ workflowID: waiter.id, body: {} });
    await f.orchestration.v1.cancelEvent({ instanceID: aborted.id });

    const trigger = await f.orchestration.v1.createTrigger({
      body: { event: "COMMITTED_TRANSACTIONS", workflowID: workflow.id },
    });
    expect((await f.orchestration.v1.readTrigger({ triggerID: trigger.id })).id).toBe(trigger.id);
    expect((await f.orchestration.v1.listTriggers({})).map((t) => t.id)).toContain(trigger.id);
    expect(await f.orchestration.v1.listTriggersOccurrences({ triggerID: trigger.id })).toEqual([]);
    await f.orchestration.v1.deleteTrigger({ triggerID: trigger.id });
    await f.orchestration.v1.deleteWorkflow({ flowId: waiter.id });
  });
});
