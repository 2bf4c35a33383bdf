// y written as f32 vec4s: only with an f32 vec4 input (cols % 4 == 0), whose `base` is in vec4s.
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f32>>;

fn io_store(base: u32, c: u32, v: vec4<f32>) { y[base + c] = v; }
