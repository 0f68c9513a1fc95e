import { raw } from 'hono/html';
import { type Locale, type Translate, translator } from './i18n.ts';

/** The slice of an OpenAPI 3.1 document the reference page reads. */
interface SchemaObject {
  type?: string | string[];
  format?: string;
  description?: string;
  example?: unknown;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  enum?: unknown[];
  $ref?: string;
  anyOf?: SchemaObject[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: SchemaObject;
  }[];
  requestBody?: { content?: Record<string, MediaObject> };
  responses?: Record<string, ResponseObject>;
}
interface MediaObject {
  schema?: SchemaObject;
  example?: unknown;
}
interface ResponseObject {
  $ref?: string;
  description?: string;
  content?: Record<string, MediaObject>;
}
interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  paths?: Record<string, Record<string, Operation>>;
  /** What Provisio sends out (OpenAPI 3.1): one entry per event type, its body as a POST's. */
  webhooks?: Record<string, { post?: Operation }>;
  components?: { schemas?: Record<string, SchemaObject>; responses?: Record<string, ResponseObject> };
}

/** Descriptions use Markdown's `code` spans; render those, leave the rest as text. */
function Prose({ text }: { text: string | undefined }) {
  if (!text) return null;
  return <>{text.split('`').map((part, i) => (i % 2 === 1 ? <code>{part}</code> : part))}</>;
}

function typeOf(schema: SchemaObject | undefined): string {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.split('/').pop() ?? '';
  if (schema.enum) return schema.enum.map(String).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'object');
  if (type === 'array') return `${typeOf(schema.items)}[]`;
  return schema.format ? `${type} (${schema.format})` : type;
}

function Properties({ schema, t }: { schema: SchemaObject; t: Translate }) {
  const props = Object.entries(schema.properties ?? {});
  if (props.length === 0) return null;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('apidocs.field')}</th>
          <th scope="col">{t('apidocs.type')}</th>
          <th scope="col">{t('apidocs.required')}</th>
          <th scope="col">{t('apidocs.description')}</th>
        </tr>
      </thead>
      <tbody>
        {props.map(([name, prop]) => (
          <tr>
            <td>
              <code>{name}</code>
            </td>
            <td>{typeOf(prop)}</td>
            <td>{schema.required?.includes(name) ? t('apidocs.yes') : ''}</td>
            <td>
              <Prose text={prop.description} />
              {prop.example !== undefined ? (
                <span class="muted"> {t('apidocs.example', { example: JSON.stringify(prop.example) })}</span>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The example a media type shows: its own, or its schema's (a named schema's from the components). */
export function exampleOf(doc: OpenApiDocument, media: MediaObject | undefined): unknown {
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const schema = media.schema;
  const name = schema?.$ref?.split('/').pop();
  return name ? doc.components?.schemas?.[name]?.example : schema?.example;
}

/** The first success answered as JSON. */
function successMedia(op: Operation): MediaObject | undefined {
  const ok = Object.entries(op.responses ?? {}).find(([status]) => status.startsWith('2'));
  return ok?.[1].content?.['application/json'];
}

/** An example as formatted JSON: text in a <pre>, so escaped like any other text. */
function Example(props: {
  label: string;
  kind: 'request' | 'response' | 'event';
  value: unknown;
  level?: 'h3' | 'h4';
}) {
  if (props.value === undefined) return null;
  const Heading = props.level ?? 'h3';
  return (
    <>
      <Heading>{props.label}</Heading>
      <pre class={`example example-${props.kind}`}>
        <code>{JSON.stringify(props.value, null, 2)}</code>
      </pre>
    </>
  );
}

/**
 * The event catalogue, from the document's `webhooks`: each type's description (English, like the
 * operations' summaries), the fields of its `data` and an example body.
 */
function Events({ doc, t }: { doc: OpenApiDocument; t: Translate }) {
  const events = Object.entries(doc.webhooks ?? {}).flatMap(([type, item]) =>
    item.post ? [{ type, op: item.post }] : [],
  );
  if (events.length === 0) return null;
  return (
    <section id="events">
      <h2>{t('apidocs.events')}</h2>
      <p>
        <Prose text={t('apidocs.events_intro')} />
      </p>
      {events.map(({ type, op }) => {
        const media = op.requestBody?.content?.['application/json'];
        const data = media?.schema?.properties?.data;
        return (
          <section id={`event-${type}`}>
            <h3>
              <code>{type}</code>
            </h3>
            <p>
              <Prose text={op.description} />
            </p>
            {data ? (
              <>
                <h4>{t('apidocs.event_data')}</h4>
                <Properties schema={data} t={t} />
              </>
            ) : null}
            <Example label={t('apidocs.example_event')} kind="event" level="h4" value={media?.example} />
          </section>
        );
      })}
    </section>
  );
}

/** A readable, dependency-free API reference rendered from the same OpenAPI document we serve. */
export function renderApiReference(openApiDocument: object, locale: Locale): string {
  const t = translator(locale);
  const doc = openApiDocument as OpenApiDocument;
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
  const page = (
    <html lang={locale} data-theme="light">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{t('apidocs.title', { title: doc.info.title })}</title>
        <link rel="stylesheet" href="/assets/pico.min.css" />
        <link rel="stylesheet" href="/assets/app.css" />
      </head>
      <body>
        <main id="main">
          <h1>
            {doc.info.title} <span class="muted">v{doc.info.version}</span>
          </h1>
          <p>
            <Prose text={doc.info.description} />
          </p>
          <p>
            {t('apidocs.base_url')}: <code>{doc.servers?.[0]?.url}</code> · {t('apidocs.machine_readable')}:{' '}
            <a href="/api/openapi.json">/api/openapi.json</a>
          </p>
          <nav aria-label={t('apidocs.operations')}>
            <ul>
              {operations.map(({ method, path, op }) => (
                <li>
                  <a href={`#${op.operationId}`}>
                    <code>{op.operationId}</code>
                  </a>{' '}
                  <span class="muted">
                    {method} {path}
                  </span>
                </li>
              ))}
            </ul>
            {doc.webhooks ? (
              <p>
                <a href="#events">{t('apidocs.events')}</a>
              </p>
            ) : null}
          </nav>
          {operations.map(({ method, path, op }) => {
            const bodyMedia = op.requestBody?.content?.['application/json'];
            const bodyRef = bodyMedia?.schema?.$ref?.split('/').pop();
            return (
              <section id={op.operationId}>
                <h2>
                  <code>{op.operationId}</code>: {op.summary}
                </h2>
                <p>
                  <code>
                    {method} /api/v1{path}
                  </code>
                </p>
                {op.description ? (
                  <p>
                    <Prose text={op.description} />
                  </p>
                ) : null}
                {op.parameters?.length ? (
                  <>
                    <h3>{t('apidocs.parameters')}</h3>
                    <ul>
                      {op.parameters.map((p) => (
                        <li>
                          <code>{p.name}</code> ({p.in}
                          {p.required ? `, ${t('apidocs.required').toLowerCase()}` : ''}): {typeOf(p.schema)}{' '}
                          <Prose text={p.description ?? p.schema?.description} />
                        </li>
                      ))}
                    </ul>
                  </>
                ) : null}
                {bodyRef ? (
                  <>
                    <h3>{t('apidocs.request_body', { schema: bodyRef })}</h3>
                    <Properties schema={doc.components?.schemas?.[bodyRef] ?? {}} t={t} />
                  </>
                ) : null}
                <Example
                  label={t('apidocs.example_request')}
                  kind="request"
                  value={exampleOf(doc, bodyMedia)}
                />
                <h3>{t('apidocs.responses')}</h3>
                <ul>
                  {Object.entries(op.responses ?? {}).map(([status, own]) => {
                    // Shared refusals are references to the document's components.
                    const r = own.$ref
                      ? (doc.components?.responses?.[own.$ref.split('/').pop() ?? ''] ?? {})
                      : own;
                    const content = Object.entries(r.content ?? {})[0];
                    return (
                      <li>
                        <strong>{status}</strong> <Prose text={r.description} />{' '}
                        {content ? (
                          <span class="muted">
                            ({content[0]}: {typeOf(content[1].schema)})
                          </span>
                        ) : null}
                      </li>
                    );
                  })}
                </ul>
                <Example
                  label={t('apidocs.example_response')}
                  kind="response"
                  value={exampleOf(doc, successMedia(op))}
                />
              </section>
            );
          })}
          <Events doc={doc} t={t} />
          <h2>{t('apidocs.schemas')}</h2>
          {Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => (
            <section id={`schema-${name}`}>
              <h3>{name}</h3>
              {schema.enum ? (
                <p>{schema.enum.map(String).join(', ')}</p>
              ) : (
                <Properties schema={schema} t={t} />
              )}
            </section>
          ))}
        </main>
      </body>
    </html>
  );
  return `<!doctype html>${raw(page.toString())}`;
}
