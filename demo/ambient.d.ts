/** Vite's `?raw` import of a panel's own source, for the code shown under each section. */
declare module '*.ts?raw' {
  const source: string;
  export default source;
}
