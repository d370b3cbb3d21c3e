import type { CallToolResult } from '@modelcontextprotocol/server';

/** A 1x1 PNG, for image fixtures. */
export const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
/** An empty 16-bit mono WAV, for audio fixtures. */
export const WAV_EMPTY = Buffer.from(
  'RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00',
  'latin1',
).toString('base64');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });

/** Publishes list-changed notifications on the running endpoint (for the listen-trigger fixtures). */
export type ConformanceNotifier = () => { toolsChanged(): void; promptsChanged(): void };
