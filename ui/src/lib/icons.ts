/**
 * The console's icons: 24×24 stroke drawings, kept as path data so that they are bundled with
 * the code and need no asset, font or network.
 */

function circle(cx: number, cy: number, r: number): string {
  return `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
}

function roundedRect(x: number, y: number, w: number, h: number, r: number): string {
  return (
    `M${x + r} ${y}h${w - 2 * r}a${r} ${r} 0 0 1 ${r} ${r}v${h - 2 * r}` +
    `a${r} ${r} 0 0 1 ${-r} ${r}h${-(w - 2 * r)}a${r} ${r} 0 0 1 ${-r} ${-r}` +
    `v${-(h - 2 * r)}a${r} ${r} 0 0 1 ${r} ${-r}z`
  );
}

export const ICONS = {
  logo: ["M8 4v9.5a4 4 0 0 0 8 0V11", "M13.5 8.5 16 6l2.5 2.5", "M16 6v5"],
  deliveries: [
    "M3.5 13h4.5l1.5 3h5l1.5-3h4.5",
    "M3.5 13 6.2 5.6A1 1 0 0 1 7.1 5h9.8a1 1 0 0 1 .9.6l2.7 7.4V18a1 1 0 0 1-1 1h-15a1 1 0 0 1-1-1z",
  ],
  replays: ["M4.5 12a7.5 7.5 0 1 0 2.2-5.3", "M4.5 4v4h4", "M10.5 9.5v5l4-2.5z"],
  incidents: ["M12 4 3 19.5h18z", "M12 10v4.5", "M12 17.2v.01"],
  audit: ["M12 3.2l7 2.8v5.2c0 4.4-2.9 7.8-7 9.6-4.1-1.8-7-5.2-7-9.6V6z", "M9 12l2.2 2.2L15.5 10"],
  settings: [
    "M4 6.5h9",
    "M17 6.5h3",
    circle(15, 6.5, 2),
    "M4 12h3",
    "M11 12h9",
    circle(9, 12, 2),
    "M4 17.5h11",
    "M19 17.5h1",
    circle(17, 17.5, 2),
  ],
  plug: ["M9 3.5v4", "M15 3.5v4", "M6.5 7.5h11v3.5a5.5 5.5 0 0 1-11 0z", "M12 16.5v4"],
  key: [circle(8, 15.5, 3.5), "M10.5 13 19 4.5", "M16 7.5l2.5 2.5", "M14 9.5l1.8 1.8"],
  database: [
    "M5 6.5c0-1.7 3.1-3 7-3s7 1.3 7 3-3.1 3-7 3-7-1.3-7-3z",
    "M5 6.5v11c0 1.7 3.1 3 7 3s7-1.3 7-3v-11",
    "M5 12c0 1.7 3.1 3 7 3s7-1.3 7-3",
  ],
  bell: ["M6.5 16.5V11a5.5 5.5 0 0 1 11 0v5.5l1.5 2h-14z", "M10 20.5a2 2 0 0 0 4 0"],
  info: [circle(12, 12, 8.5), "M12 11v5", "M12 8v.01"],
  lock: [roundedRect(5, 10.5, 14, 10, 2), "M8 10.5V7.5a4 4 0 0 1 8 0v3"],
  unlock: [roundedRect(5, 10.5, 14, 10, 2), "M8 10.5V7.5a4 4 0 0 1 7.6-1.7"],
  clock: [circle(12, 12, 8.5), "M12 7.5V12l3 2"],
  plus: ["M12 5v14", "M5 12h14"],
  chevron: ["M7.5 10l4.5 4.5 4.5-4.5"],
  check: ["M5 12.5l4.5 4.5L19 7.5"],
  alert: [circle(12, 12, 8.5), "M12 7.5v5.5", "M12 16.3v.01"],
  pencil: ["M15.5 4.5l4 4L9 19H5v-4z", "M13.5 6.5l4 4"],
  trash: ["M4.5 7h15", "M9.5 7V4.5h5V7", "M6.5 7l1 12.5h9l1-12.5", "M10.5 11v5", "M13.5 11v5"],
  star: ["M12 4l2.4 5 5.4.6-4 3.7 1.1 5.4L12 16l-4.9 2.7 1.1-5.4-4-3.7 5.4-.6z"],
  search: [circle(10.5, 10.5, 6), "M15 15l5 5"],
  close: ["M6 6l12 12", "M18 6 6 18"],
  refresh: ["M19.5 12a7.5 7.5 0 1 1-2.2-5.3", "M19.5 4v4h-4"],
  copy: [roundedRect(8.5, 8.5, 11.5, 11.5, 2), "M15.5 8.5V5.5a1.5 1.5 0 0 0-1.5-1.5H5.5A1.5 1.5 0 0 0 4 5.5V14a1.5 1.5 0 0 0 1.5 1.5h3"],
  flask: ["M9.5 3.5h5", "M10.5 3.5v6L5 18.5a1.3 1.3 0 0 0 1.1 2h11.8a1.3 1.3 0 0 0 1.1-2L13.5 9.5v-6", "M7.8 14h8.4"],
} satisfies Record<string, readonly string[]>;

/** The name of one of {@link ICONS}. */
export type IconName = keyof typeof ICONS;
