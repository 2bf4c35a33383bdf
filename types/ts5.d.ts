/**
 * The declarations for TypeScript 5.x, whose DOM library has no WebGPU types: the same API as
 * dist/index.d.ts, with the WebGPU types from the `@webgpu/types` peer dependency. TypeScript 6
 * and later get dist/index.d.ts directly (their DOM library declares WebGPU, and `@webgpu/types`
 * next to it would declare every GPU type twice). package.json picks the file by version
 * (`types@<6.0` in exports, `typesVersions` for `moduleResolution: node10`).
 */
/// <reference types="@webgpu/types" />
export * from '../dist/index.js';
