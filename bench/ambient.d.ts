/** Vite's `?raw` import: the file's text (the bench page loads copy.wgsl this way). */
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}
