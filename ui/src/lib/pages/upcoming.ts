/**
 * What each page that is not built yet will hold, told plainly. These pages never show sample
 * or invented data: they describe the feature and say it is not available yet.
 */
import type { IconName } from "../icons";

/** A feature to come, as its placeholder page describes it. */
export interface UpcomingFeature {
  title: string;
  icon: IconName;
  lead: string;
  items: readonly string[];
}

export const UPCOMING = {
  cache: {
    title: "Local cache",
    icon: "database",
    lead: "The encrypted SQLite cache that makes the console fast and usable offline.",
    items: [
      "Sync progress and the watermark of each application",
      "Size on disk, last completed sync, and a manual sync",
      "Purge of a profile's cached data, with step-up approval",
    ],
  },
} satisfies Record<string, UpcomingFeature>;
