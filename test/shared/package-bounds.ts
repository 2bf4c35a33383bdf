/**
 * The packed tarball's size bound, shared by the unit test (`npm pack --dry-run`) and the GPU test
 * that installs the tarball in a fresh app. The README states the packed size; this bound is what a
 * regression would cross. Raised with the ONNX entry point (src/onnx), batchNormTraining, the
 * native-f16 kernels, then the encode plans and a longer CHANGELOG, then the chunk rotation of the
 * several-rows kernels (216.0 kB measured; 217.8 kB with later CHANGELOG entries and tune()'s
 * interleaving), then tune()'s per-round choice with its declarations and the kit's CHANGELOG
 * entries (220.2 kB).
 */
export const MAX_PACKED_BYTES = 224_000;
