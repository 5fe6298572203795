/**
 * The Failures page's questions to the back end that take more than one command: failures over
 * time stacked by delivery outcome, and the trend of each visible group.
 */
import type { Bucket } from "../bindings/Bucket";
import type { ChainOutcome } from "../bindings/ChainOutcome";
import type { DeliveryFilter } from "../bindings/DeliveryFilter";
import type { FailureGroup } from "../bindings/FailureGroup";
import type { StackSeries } from "../chart/stack";
import { call } from "../ipc";
import { groupKey } from "./labels";
import { countsAt } from "./window";

/**
 * The layers of the chart, bottom first: failed attempts of deliveries that gave up, that are
 * still being retried, and that were delivered by a later attempt. Together, every failure.
 */
export const OUTCOME_LAYERS: readonly { label: string; outcomes: ChainOutcome[]; color: string }[] = [
  { label: "Gave up", outcomes: ["gave_up"], color: "--danger" },
  { label: "Retrying", outcomes: ["retrying", "pending"], color: "--warn" },
  { label: "Delivered later", outcomes: ["delivered"], color: "--ok" },
];

/** Groups that get a trend, from the top of the table. */
export const TREND_ROWS = 20;
/** Trend queries running at once. */
const TREND_CONCURRENCY = 4;

/** Failures per bucket of `starts`, one series per {@link OUTCOME_LAYERS} layer. */
export async function failuresByOutcome(
  filter: DeliveryFilter,
  bucket: Bucket,
  starts: readonly number[],
): Promise<StackSeries[]> {
  const answers = await Promise.all(
    OUTCOME_LAYERS.map((layer) =>
      call("failures_over_time", { filter: { ...filter, outcomes: layer.outcomes }, bucket }),
    ),
  );
  return OUTCOME_LAYERS.map((layer, i) => ({
    label: layer.label,
    color: layer.color,
    values: countsAt(starts, answers[i] ?? [], bucket),
  }));
}

/** The filter of one group: the page's, narrowed to its subscription and its cause. */
export function groupFilter(filter: DeliveryFilter, group: FailureGroup): DeliveryFilter {
  const narrowed: DeliveryFilter = { ...filter, subscription_ids: [group.subscription_id] };
  if (group.cause.kind === "http") {
    narrowed.http_status = group.cause.status;
  } else {
    narrowed.error_kinds = [group.cause.error];
  }
  return narrowed;
}

/**
 * The trend of each of the first {@link TREND_ROWS} groups, a few queries at a time. Calls
 * `found` with each as it arrives; a trend that cannot be read is left out.
 */
export async function groupTrends(
  groups: readonly FailureGroup[],
  filter: DeliveryFilter,
  bucket: Bucket,
  starts: readonly number[],
  found: (key: string, values: number[]) => void,
): Promise<void> {
  const queue = groups.slice(0, TREND_ROWS);
  const worker = async (): Promise<void> => {
    for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
      try {
        const buckets = await call("failures_over_time", { filter: groupFilter(filter, group), bucket });
        found(groupKey(group), countsAt(starts, buckets, bucket));
      } catch {
        // The row shows no trend; the table itself is what matters.
      }
    }
  };
  await Promise.all(Array.from({ length: TREND_CONCURRENCY }, worker));
}
