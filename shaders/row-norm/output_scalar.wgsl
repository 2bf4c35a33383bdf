// y written as f32 scalars, for any width and any input side (io_row_start maps the input's
// `base` to the row's first element).
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

fn io_store(base: u32, c: u32, v: vec4<f32>) {
  let g = io_row_start(base) + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { y[g + k] = v[k]; }
  }
}
