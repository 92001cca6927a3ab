// Headless Debian Chromium through playwright-core (never a downloaded browser), with a fresh
// profile per launch. Page errors and console errors are collected so tests can assert none.
import type { BrowserContext, Page } from 'playwright-core';
import { DEFAULT_CHROMIUM, launchChromium } from '../../server/cli/chromium.ts';

export const CHROMIUM = DEFAULT_CHROMIUM;

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(options: { width?: number; height?: number; deviceScaleFactor?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<Browser> {
  const { context, close } = await launchChromium(options);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context,
    page,
    errors,
    close,
  };
}
