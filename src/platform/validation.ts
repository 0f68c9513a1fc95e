import type { z } from 'zod';
import type { FieldError } from './errors.ts';

const TYPE_RULES = new Set(['number', 'string', 'object', 'array', 'boolean']);

/** The value the caller sent at a path (zod's issues do not carry it). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** "lines.1.provisioningContactEmail" style paths become "lines[1].provisioningContactEmail". */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

/**
 * Turns zod's issues into field errors whose `rule` is a message-catalog key under `validation.`,
 * so every language gets the same, specific message.
 */
export function fieldErrorsFromZod(issues: readonly z.core.$ZodIssue[], input?: unknown): FieldError[] {
  return issues.flatMap((issue): FieldError[] => {
    const field = fieldPath(issue.path);
    switch (issue.code) {
      case 'invalid_type':
        if (valueAt(input, issue.path) === undefined) return [{ field, rule: 'required' }];
        return [{ field, rule: TYPE_RULES.has(issue.expected) ? `type_${issue.expected}` : 'invalid' }];
      case 'too_small':
        if (issue.origin === 'string' && Number(issue.minimum) === 1) return [{ field, rule: 'required' }];
        return [
          {
            field,
            rule: issue.origin === 'array' ? 'min_items' : issue.origin === 'string' ? 'min_length' : 'min',
            params: { count: Number(issue.minimum) },
          },
        ];
      case 'too_big':
        return [
          {
            field,
            rule: issue.origin === 'array' ? 'max_items' : issue.origin === 'string' ? 'max_length' : 'max',
            params: { count: Number(issue.maximum) },
          },
        ];
      case 'invalid_format':
        return [
          {
            field,
            rule:
              issue.format === 'date'
                ? 'date'
                : issue.format === 'email'
                  ? 'email'
                  : issue.format === 'uuid'
                    ? 'uuid'
                    : 'format',
          },
        ];
      case 'invalid_value':
        return [{ field, rule: 'one_of', params: { values: issue.values.map(String).join(', ') } }];
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({ field: field ? `${field}.${key}` : key, rule: 'unknown_field' }));
      case 'custom':
        return [{ field, rule: issue.message || 'invalid' }];
      default:
        return [{ field, rule: 'invalid' }];
    }
  });
}
