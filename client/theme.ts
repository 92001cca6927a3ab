// Light and dark themes: the user's choice (kept in localStorage), else the system's.
import { computed, ref, watchEffect } from 'vue';
import { PALETTES, type Palette, type Theme } from './render/palette.ts';

const stored = localStorage.getItem('traffic-map-theme');
const system: Theme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
export const theme = ref<Theme>(stored === 'light' || stored === 'dark' ? stored : system);

watchEffect(() => {
  document.documentElement.dataset['theme'] = theme.value;
});

export function toggleTheme(): void {
  theme.value = theme.value === 'dark' ? 'light' : 'dark';
  localStorage.setItem('traffic-map-theme', theme.value);
}

/** The current palette, for canvas and SVG drawing. */
export const palette = computed<Palette>(() => PALETTES[theme.value]);
