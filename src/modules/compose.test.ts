import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { composeModules, mountModules } from './compose.ts';
import type { ModuleDeclaration } from './declaration.ts';
import { MODULES } from './index.ts';
import { dispatchDue } from './provisioning/jobs.ts';
import { endSetupLinks } from './provisioning/transition-effects.ts';
import { BOOKED, TRANSITIONS } from './subscriptions/lifecycle.ts';

describe('module declarations', () => {
  it("Provisio's own modules compose: every effect the lifecycle names is contributed once", () => {
    const composed = composeModules(MODULES);
    const named = new Set([...Object.values(TRANSITIONS).flatMap((t) => t.effects), ...BOOKED.effects]);
    assert.deepEqual(Object.keys(composed.transitionEffects).sort(), [...named].sort());
    assert.ok(composed.jobs.some((j) => j.name === 'provisioning.dispatch-due'));
    assert.ok(composed.mailResultHandlers.has('provisioning.transaction'));
    assert.deepEqual(composed.orderPagePanels.map((p) => p.name).sort(), [
      'fulfilment.line-outcome',
      'provisioning.line-actions',
      'provisioning.line-timeline',
      'setup.match-preview',
    ]);
  });

  it('refuses a job, an effect, a mail kind or a panel two modules contribute, naming both', () => {
    const copy: ModuleDeclaration = {
      name: 'copycat',
      jobs: [dispatchDue],
      transitionEffects: { end_setup_links: endSetupLinks },
      mailResultHandlers: { 'provisioning.transaction': async () => undefined },
      orderPagePanels: [{ name: 'setup.match-preview', rank: 1, load: async () => ({}) }],
    };
    assert.throws(
      () => composeModules([...MODULES, copy]),
      (error: Error) => {
        assert.match(error.message, /^Module declarations conflict:/);
        assert.match(
          error.message,
          /job "provisioning\.dispatch-due" is contributed by both provisioning and copycat/,
        );
        assert.match(
          error.message,
          /transition effect "end_setup_links" is contributed by both provisioning and copycat/,
        );
        assert.match(
          error.message,
          /mail result handler "provisioning\.transaction" is contributed by both provisioning and copycat/,
        );
        assert.match(
          error.message,
          /order page panel "setup\.match-preview" is contributed by both onboarding and copycat/,
        );
        return true;
      },
    );
    assert.throws(
      () => composeModules([...MODULES, { name: 'orders' }]),
      /module "orders" is contributed twice by orders/,
    );
  });

  it('refuses a route two modules register, whatever its parameters are called, but not one guard covering another’s paths', () => {
    const pages = (
      name: string,
      register: (app: Hono) => void,
    ): ModuleDeclaration & { register: (app: Hono) => void } => ({ name, register });
    const a = pages('a', (app) => {
      app.use('/orders/*', async (_c, next) => next());
      app.get('/orders/:orderId', (c) => c.text('a'));
      app.post('/orders/:orderId', (c) => c.text('a'));
    });
    const b = pages('b', (app) => {
      app.use('/orders/*', async (_c, next) => next());
      app.get('/orders/:orderId/lines/:lineId', (c) => c.text('b'));
    });
    const clash = pages('c', (app) => app.get('/orders/:id', (c) => c.text('c')));
    const mount = (list: (typeof a)[]) => {
      const app = new Hono();
      mountModules(app, list, (m) => list.find((x) => x === m)?.register(app), 'page ');
    };
    mount([a, b]);
    mount([b, a]);
    assert.throws(() => mount([a, b, clash]), /route "page GET \/orders\/:" is contributed by both a and c/);
  });
});
