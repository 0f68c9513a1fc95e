import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

/** Keys of 32 bytes, base64, as `openssl rand -base64 32` makes them. */
const KEY = Buffer.alloc(32, 7).toString('base64');
const OTHER_KEY = Buffer.alloc(32, 9).toString('base64');

describe('configuration', () => {
  it('has working defaults for the embedded quick start', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.dataDir, path.resolve('./data'));
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.demoSeed, 'auto');
    assert.equal(config.sessionCookieSecure, true);
    assert.equal(config.trustProxy, false);
  });

  it('reads settings from the environment', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://db/provisio',
      PUBLIC_URL: 'https://orders.example/',
      SESSION_COOKIE_SECURE: 'false',
      TRUST_PROXY: 'true',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, 'postgres://db/provisio');
    assert.equal(config.publicUrl, 'https://orders.example');
    assert.equal(config.sessionCookieSecure, false);
    assert.equal(config.trustProxy, true);
  });

  it('never echoes a secret in its error message', () => {
    assert.throws(
      () => loadConfig({ DEMO_PASSWORD: 'hunter2', DATABASE_URL: 'mysql://admin:S3cret@db/x' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /DEMO_PASSWORD/);
        assert.match(error.message, /DATABASE_URL: .*mysql:\/\/admin:\*\*\*@db\/x/);
        assert.doesNotMatch(error.message, /hunter2|S3cret/);
        return true;
      },
    );
  });

  it('accepts only http(s) public URLs', () => {
    assert.throws(() => loadConfig({ PUBLIC_URL: 'ftp://orders.example' }), /PUBLIC_URL/);
  });

  it('bounds the worker settings', () => {
    const config = loadConfig({});
    assert.equal(config.workerConcurrency, 10);
    assert.equal(config.workerDrainSeconds, 20);
    assert.equal(loadConfig({ WORKER_CONCURRENCY: '3', WORKER_DRAIN_SECONDS: '0' }).workerDrainSeconds, 0);
    assert.throws(() => loadConfig({ WORKER_CONCURRENCY: '0' }), /WORKER_CONCURRENCY: .*"0"/);
    assert.throws(() => loadConfig({ WORKER_CONCURRENCY: '2.5' }), /WORKER_CONCURRENCY/);
    assert.throws(() => loadConfig({ WORKER_DRAIN_SECONDS: '-1' }), /WORKER_DRAIN_SECONDS/);
    assert.equal(config.jobExpireSeconds, 60);
    assert.equal(loadConfig({ JOB_EXPIRE_SECONDS: '5' }).jobExpireSeconds, 5);
    assert.throws(() => loadConfig({ JOB_EXPIRE_SECONDS: '4' }), /JOB_EXPIRE_SECONDS/);
  });

  it('stops with a message naming each wrong setting', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', DEFAULT_LOCALE: 'de' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems.map((p) => p.split(':')[0]).sort(), [
          'DATABASE_URL',
          'DEFAULT_LOCALE',
          'PORT',
        ]);
        assert.match(error.message, /PORT: .*"eighty"/);
        return true;
      },
    );
  });

  it('sends mail over SMTP when SMTP_URL is set, and refuses production without it', () => {
    const dev = loadConfig({ PUBLIC_URL: 'https://orders.example' });
    assert.equal(dev.smtpUrl, undefined);
    assert.equal(dev.adminHubUrl, 'https://orders.example/hub');
    const prod = loadConfig({
      NODE_ENV: 'production',
      SMTP_URL: 'smtp://relay:secret@mail.example:587',
      MAIL_FROM: 'Provisioning@Vendor.example',
      ADMIN_HUB_URL: 'https://admin.vendor.example/',
      WEBHOOK_SECRETS_KEY: KEY,
    });
    assert.equal(prod.production, true);
    assert.equal(prod.mailFrom, 'provisioning@vendor.example');
    assert.equal(prod.adminHubUrl, 'https://admin.vendor.example');
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /SMTP_URL: required when NODE_ENV=production/);
        return true;
      },
    );
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example', DEMO_SEED: 'always' }),
      /DEMO_SEED: "always" is not allowed when NODE_ENV=production/,
    );
  });

  it('seals webhook secrets with WEBHOOK_SECRETS_KEY, required in production and never echoed', () => {
    const dev = loadConfig({});
    assert.equal(dev.webhookSecretsKeyIsDevelopmentFallback, true);
    assert.equal(dev.webhookSecretsKeys.length, 1);
    assert.equal(dev.webhookAllowPrivateTargets, false);
    assert.equal(dev.webhookConcurrencyPerEndpoint, 10);
    const set = loadConfig({
      WEBHOOK_SECRETS_KEY: `${KEY},${OTHER_KEY}`,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_CONCURRENCY_PER_ENDPOINT: '3',
    });
    assert.equal(set.webhookSecretsKeyIsDevelopmentFallback, false);
    assert.equal(set.webhookSecretsKeys.length, 2);
    assert.equal(set.webhookAllowPrivateTargets, true);
    assert.equal(set.webhookConcurrencyPerEndpoint, 3);
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example' }),
      /WEBHOOK_SECRETS_KEY: required when NODE_ENV=production/,
    );
    assert.throws(
      () => loadConfig({ WEBHOOK_SECRETS_KEY: 'c2hvcnQgYW5kIHNlY3JldA==' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /WEBHOOK_SECRETS_KEY: must be one or more base64 keys of 32 bytes/);
        assert.doesNotMatch(error.message, /c2hvcnQ/);
        return true;
      },
    );
    assert.throws(
      () => loadConfig({ WEBHOOK_CONCURRENCY_PER_ENDPOINT: '0' }),
      /WEBHOOK_CONCURRENCY_PER_ENDPOINT/,
    );
  });

  it('names a bad SMTP_URL without echoing its password', () => {
    assert.throws(
      () => loadConfig({ SMTP_URL: 'http://relay:hunter22@mail.example' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
        assert.doesNotMatch(error.message, /hunter22/);
        return true;
      },
    );
  });
});
