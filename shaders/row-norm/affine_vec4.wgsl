// Per-feature gamma/beta (f32) read as vec4: cols % 4 == 0.
@group(0) @binding(3) var<storage, read> gamma: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> beta: array<vec4<f32>>;

fn io_gamma(c: u32) -> vec4<f32> { return gamma[c]; }
fn io_beta(c: u32) -> vec4<f32> { return beta[c]; }
