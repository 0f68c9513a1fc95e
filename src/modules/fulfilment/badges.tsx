import type { Translate } from '../../platform/i18n.ts';
import { Badge, type Tone } from '../../platform/ui/components.tsx';
import type { FulfilmentStage, ProvisionRequestState } from './schema.ts';

/** A subscription's fulfilment stage, wherever it is shown: the same words and tone as the panels' titles. */
const STAGES: Record<FulfilmentStage, { tone: Tone; label: string }> = {
  provisioning: { tone: 'info', label: 'fulfilment.provisioning.title' },
  needs_info: { tone: 'warning', label: 'fulfilment.needs_info.title' },
  provisioning_failed: { tone: 'danger', label: 'fulfilment.failed.title' },
};

export function FulfilmentStageBadge({ t, stage }: { t: Translate; stage: FulfilmentStage }) {
  return <Badge tone={STAGES[stage].tone}>{t(STAGES[stage].label)}</Badge>;
}

const REQUEST_TONES: Record<ProvisionRequestState, Tone> = {
  open: 'info',
  needs_info: 'warning',
  succeeded: 'success',
  failed: 'danger',
  given_up: 'danger',
};

/** A provision request's state in the back office. */
export function RequestStateBadge({ t, state }: { t: Translate; state: ProvisionRequestState }) {
  return <Badge tone={REQUEST_TONES[state]}>{t(`fulfilment.state.${state}`)}</Badge>;
}
