import type { Translate } from '../../platform/i18n.ts';
import type { MatchOutcome } from '../identity/matching.ts';

/** How many candidate names the compact preview spells out before an ellipsis. */
const NAMES_SHOWN = 3;

function previewText(t: Translate, o: MatchOutcome): string {
  switch (o.outcome) {
    case 'exact':
      return t('matching.exact', { organization: o.organization.name });
    case 'taken':
      return t('matching.taken', { organization: o.organizationName });
    case 'domain': {
      const names = o.candidates
        .slice(0, NAMES_SHOWN)
        .map((c) => (c.stale ? `${c.name} (${t('matching.stale')})` : c.name));
      const more = o.candidates.length > NAMES_SHOWN ? ', …' : '';
      return t('matching.domain', {
        count: o.candidates.length,
        domain: o.domain,
        names: names.join(', ') + more,
      });
    }
    case 'none':
      return t(`matching.none_${o.reason}`, { domain: o.domain ?? '' });
  }
}

/** One line's match preview, next to its contact email on the order page. */
export function MatchPreview({ t, outcome }: { t: Translate; outcome: MatchOutcome | undefined }) {
  if (!outcome) return null;
  return (
    <div class="match-preview muted" data-outcome={outcome.outcome} title={t('matching.preview_label')}>
      {previewText(t, outcome)}
    </div>
  );
}
