// BatchNorm training's running-statistics update, one invocation per channel, after the merge
// (channel/channel_merge.wgsl) has written the batch mean and biased variance:
//
//   new_mean = (1 - momentum) * running_mean + momentum * mean
//   new_var  = (1 - momentum) * running_var  + momentum * var * correction
//
// with correction = N / (N - 1) (PyTorch's unbiased running variance) or 1. A pass of its own
// because the merge already binds the eight storage buffers a stage may have by default.
// - running_update: reads running_mean / running_var, writes new_running_mean / new_running_var.
// - running_update_in_place: one read_write binding per statistic, updated where it is (a buffer
//   may not be bound both read-only and writable in one dispatch).

struct UpdateParams {
  channels: u32,
  momentum: f32,
  // N / (N - 1), or 1.
  correction: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<uniform> update: UpdateParams;
// The batch statistics are only read, but bound read_write: they are outputs of the call, which
// may share a buffer with the other outputs written here (newRunning*, or running* in place), and
// a read-only binding of a buffer that the dispatch also writes is a validation error.
@group(0) @binding(1) var<storage, read_write> batch_mean: array<f32>;
@group(0) @binding(2) var<storage, read_write> batch_var: array<f32>;
@group(0) @binding(3) var<storage, read> running_mean: array<f32>;
@group(0) @binding(4) var<storage, read> running_var: array<f32>;
@group(0) @binding(5) var<storage, read_write> new_running_mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> new_running_var: array<f32>;
@group(0) @binding(3) var<storage, read_write> running_mean_rw: array<f32>;
@group(0) @binding(4) var<storage, read_write> running_var_rw: array<f32>;

fn channel_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid;
}

// The updated (mean, var) of channel c from its old running values.
fn updated(c: u32, old_mean: f32, old_var: f32) -> vec2<f32> {
  let keep = 1.0 - update.momentum;
  return vec2<f32>(keep * old_mean + update.momentum * batch_mean[c],
                   keep * old_var + update.momentum * (batch_var[c] * update.correction));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn running_update(@builtin(workgroup_id) wid: vec3<u32>,
                  @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
  let c = channel_index(wid, nwg, lid);
  if (c >= update.channels) { return; }
  let u = updated(c, running_mean[c], running_var[c]);
  new_running_mean[c] = u.x;
  new_running_var[c] = u.y;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn running_update_in_place(@builtin(workgroup_id) wid: vec3<u32>,
                           @builtin(num_workgroups) nwg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
  let c = channel_index(wid, nwg, lid);
  if (c >= update.channels) { return; }
  let u = updated(c, running_mean_rw[c], running_var_rw[c]);
  running_mean_rw[c] = u.x;
  running_var_rw[c] = u.y;
}
