import type { z } from 'zod';
import type { FieldError } from './errors.ts';

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
export function fieldErrorsFromZod(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue): FieldError[] => {
    const field = fieldPath(issue.path);
    switch (issue.code) {
      case 'invalid_type':
        return [
          {
            field,
            rule: issue.input === undefined ? 'required' : 'type',
            params: { expected: issue.expected },
          },
        ];
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
