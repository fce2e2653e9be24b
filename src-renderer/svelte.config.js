// Svelte 5 in runes mode everywhere: no legacy reactivity ($:, export let) can creep in.
export default {
  compilerOptions: { runes: true },
};
