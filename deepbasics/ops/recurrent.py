"""Whole-sequence recurrent ops: SimpleRNN, LSTM and GRU, each ONE graph node.

The time loop runs in Python inside ``forward`` and ``backward``; everything else is vectorised
over the batch. Inputs are projected for all steps in one GEMM before the loop (``X W + b``),
so a step only multiplies the state by the recurrent kernel. Backpropagation through time is
written by hand: the loop carries dL/dh (and dL/dc) backwards and stores the pre-activation
gradient ``dZ`` of every step; the three weight gradients and dL/dx are then GEMMs over all
steps at once (dW = X^T dZ, dU = H_{t-1}^T dZ, dx = dZ W^T).

Notation (Keras's): x_t (batch, features), h_t (batch, units), kernel W, recurrent kernel U,
bias b; gates in Keras's column order. ``act`` is ``activation`` (tanh), ``sig`` is
``recurrent_activation`` (sigmoid). Both may be any activation whose derivative can be read
off its output: tanh, sigmoid, relu, linear, hard_sigmoid.

Outputs: h_T (batch, units); with ``return_sequences`` every h_t (batch, steps, units), in the
order processed (reversed input when ``go_backwards``, as Keras). With ``return_state`` the LSTM
appends c_T as one more step: (batch, steps_out + 1, units), the layer slices it apart.
``recurrent_mask`` (batch, units), optional, is recurrent dropout: the state entering the
recurrent matmul is h_{t-1} * m (one mask for the whole sequence).
"""
import functools

import numpy as np

from deepbasics.autodiff import Function


def _tanh(z, out):
    return np.tanh(z, out=out)


def _sigmoid(z, out):
    np.multiply(z, 0.5, out=out)  # sigmoid(z) = tanh(z / 2) / 2 + 1/2: cannot overflow
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _relu(z, out):
    return np.maximum(z, 0, out=out)


def _linear(z, out):
    if out is not z:
        np.copyto(out, z)
    return out


def _hard_sigmoid(z, out):
    np.multiply(z, 1.0 / 6.0, out=out)  # Keras 3: clip(z / 6 + 1/2, 0, 1)
    out += 0.5
    return np.clip(out, 0.0, 1.0, out=out)


# name -> (f(z, out) writing into out, f' as a function of the output y)
ACTIVATIONS = {
    "tanh": (_tanh, lambda y: 1.0 - y * y),
    "sigmoid": (_sigmoid, lambda y: y * (1.0 - y)),
    "relu": (_relu, lambda y: (y > 0).astype(y.dtype)),
    "linear": (_linear, lambda y: np.ones_like(y)),
    "hard_sigmoid": (_hard_sigmoid, lambda y: ((y > 0) & (y < 1)).astype(y.dtype) / 6.0),
}


def check_activation(name, what):
    if name not in ACTIVATIONS:
        raise ValueError(f"Recurrent layers support `{what}` in {sorted(ACTIVATIONS)} (derivatives read off "
                         f"the output); received {what}={name!r}.")
    return ACTIVATIONS[name]


def _rows(a):
    """(steps, batch, k) -> (steps * batch, k): every step's rows in one GEMM."""
    return a.reshape(-1, a.shape[-1])


class Recurrent(Function):
    """What the three ops share: time-major layout, the output and its gradient, the GEMMs
    before and after the loop. Subclasses write ``loop(xw, u, b, h0, c0)`` and ``loop_backward``."""

    has_cell = False  # the LSTM carries c_t beside h_t

    def __init__(self, activation="tanh", recurrent_activation="sigmoid", return_sequences=False,
                 return_state=False, go_backwards=False, recurrent_mask=None):
        self.act, self.dact = check_activation(activation, "activation")
        self.sig, self.dsig = check_activation(recurrent_activation, "recurrent_activation")
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards, self.mask = go_backwards, recurrent_mask

    def forward(self, x, w, u, b=None, h0=None, c0=None):
        if x.ndim != 3:
            raise ValueError(f"{type(self).__name__}: expected x of shape (batch, steps, features), received {x.shape}")
        xs = x[:, ::-1] if self.go_backwards else x
        xt = np.ascontiguousarray(xs.transpose(1, 0, 2))  # (steps, batch, features): x_t contiguous
        steps, batch, _ = xt.shape
        xw = self.project(xt.reshape(steps * batch, -1), w, b).reshape(steps, batch, -1)
        units = u.shape[0]
        h0 = np.zeros((batch, units), x.dtype) if h0 is None else h0
        c0 = np.zeros((batch, units), x.dtype) if c0 is None and self.has_cell else c0
        hs, c_last = self.loop(xw, u, b, h0, c0)  # hs: (steps + 1, batch, units), hs[0] = h0
        self.xt, self.w, self.u = xt, w, u
        return self.pack(hs, c_last)

    def project(self, x2, w, b):
        """X W + b for every step at once (one GEMM)."""
        xw = x2 @ w
        if b is not None:
            xw += b
        return xw

    def pack(self, hs, c_last):
        out = hs[1:].transpose(1, 0, 2) if self.return_sequences else hs[-1:].transpose(1, 0, 2)
        if self.has_cell and self.return_state:
            return np.concatenate([out, c_last[:, None]], axis=1)
        return np.ascontiguousarray(out) if self.return_sequences else hs[-1].copy()

    def unpack(self, gy):
        """gy -> (dL/dh_t from the outputs as (steps, batch, units) or None, dL/dh_T, dL/dc_T)."""
        dc = None
        if self.has_cell and self.return_state:
            dc, gy = gy[:, -1], gy[:, :-1]
            if not self.return_sequences:
                gy = gy[:, 0]
        if self.return_sequences:
            return np.ascontiguousarray(gy.transpose(1, 0, 2)), None, dc
        return None, gy, dc

    def backward(self, gy):
        dh_seq, dh_last, dc_last = self.unpack(gy)
        dzx, dzu, dh0, dc0 = self.loop_backward(dh_seq, dh_last, dc_last)
        xt, w, steps = self.xt, self.w, self.xt.shape[0]
        needs = self.needs_input_grad
        gx = None
        if needs[0]:
            gx = (_rows(dzx) @ w.T).reshape(steps, -1, w.shape[0]).transpose(1, 0, 2)
            gx = np.ascontiguousarray(gx[:, ::-1] if self.go_backwards else gx)
        gw = _rows(xt).T @ _rows(dzx) if needs[1] else None
        gu = self.recurrent_grad(dzu) if needs[2] else None
        gb = self.bias_grad(dzx, dzu) if len(needs) > 3 and needs[3] else None
        self.xt = None  # like ``saved``: free the input copy once the gradients are out
        grads = (gx, gw, gu, gb, dh0 if len(needs) > 4 and needs[4] else None)
        return grads + ((dc0 if needs[5] else None),) if len(needs) > 5 else grads

    def recurrent_grad(self, dzu):
        """dL/dU = sum_t h_{t-1}^T dZ_t, as one GEMM over all steps (h_{t-1} saved last)."""
        return _rows(self.saved[-1]).T @ _rows(dzu)

    def bias_grad(self, dzx, dzu):
        return dzx.sum(axis=(0, 1))

    def masked(self, h, out):
        """h_{t-1} as the recurrent matmul sees it: h * m under recurrent dropout."""
        return h if self.mask is None else np.multiply(h, self.mask, out=out)

    def mask_grad(self, dh):
        return dh if self.mask is None else dh * self.mask


class SimpleRNN(Recurrent):
    """h_t = act(x_t W + b + h_{t-1} U).

    Backward, with dh_t = dL/dh_t (from the output and from step t+1):
    dZ_t = dh_t * act'(h_t);  dh_{t-1} = dZ_t U^T;  dW = sum x_t^T dZ_t, dU = sum h_{t-1}^T dZ_t,
    db = sum dZ_t, dx_t = dZ_t W^T.
    """

    def loop(self, xw, u, b, h0, c0):
        steps, batch, units = xw.shape
        hs = np.empty((steps + 1, batch, units), xw.dtype)
        hs[0] = h0
        hu = hs if self.mask is None else np.empty((steps, batch, units), xw.dtype)
        for t in range(steps):
            z = xw[t]  # a fresh buffer: the projected input of step t, completed in place
            z += self.masked(hs[t], hu[t]) @ u
            self.act(z, hs[t + 1])
        self.save_for_backward(hs, hu[:steps])
        return hs, None

    def loop_backward(self, dh_seq, dh_last, dc_last):
        hs, _ = self.saved
        steps = hs.shape[0] - 1
        dz = self.dact(hs[1:])  # act'(h_t) for all steps; becomes dZ in place, step by step
        dh = np.zeros_like(hs[0]) if dh_last is None else dh_last
        ut = np.ascontiguousarray(self.u.T)
        for t in range(steps - 1, -1, -1):
            if dh_seq is not None:
                dh = dh + dh_seq[t]
            dz[t] *= dh
            dh = self.mask_grad(dz[t] @ ut)
        return dz, dz, dh, None


class LSTM(Recurrent):
    """Keras's LSTM, gates in the column order i, f, c, o:
    [i, f, g, o] = [sig, sig, act, sig](x_t W + b + h_{t-1} U)
    c_t = f * c_{t-1} + i * g;  h_t = o * act(c_t).

    Backward, with dh = dL/dh_t and dc = dL/dc_t arriving from step t+1 (and the output):
    dc += dh * o * act'(act(c_t));   do = dh * act(c_t);  di = dc * g;  dg = dc * i;
    df = dc * c_{t-1};  dc_{t-1} = dc * f;  dZ_t = [di sig'(i), df sig'(f), dg act'(g), do sig'(o)];
    dh_{t-1} = dZ_t U^T.
    """

    has_cell = True

    def project(self, x2, w, b):
        if self.one_tanh():  # the sigmoid gates' z / 2 (exact in binary), folded into their columns once
            half = gate_constants(w.shape[1], w.dtype)[0]
            return super().project(x2, w * half, None if b is None else b * half)
        return super().project(x2, w, b)

    def loop(self, xw, u, b, h0, c0):
        steps, batch, units4 = xw.shape
        n = units4 // 4
        hs = np.empty((steps + 1, batch, n), xw.dtype)
        cs = np.empty((steps + 1, batch, n), xw.dtype)
        tc = np.empty((steps, batch, n), xw.dtype)  # act(c_t)
        hs[0], cs[0] = h0, c0
        hu = hs if self.mask is None else np.empty((steps, batch, n), xw.dtype)
        ig = np.empty((batch, n), xw.dtype)
        if self.one_tanh():
            u = u * gate_constants(units4, u.dtype)[0]
        for t in range(steps):
            z = xw[t]  # becomes the activated gates [i, f, g, o] in place
            z += self.masked(hs[t], hu[t]) @ u
            self.gate_activations(z, n)
            np.multiply(z[:, n:2 * n], cs[t], out=cs[t + 1])
            cs[t + 1] += np.multiply(z[:, :n], z[:, 2 * n:3 * n], out=ig)
            self.act(cs[t + 1], tc[t])
            np.multiply(z[:, 3 * n:], tc[t], out=hs[t + 1])
        self.save_for_backward(xw, cs, tc, hu[:steps])
        return hs, cs[-1]

    def loop_backward(self, dh_seq, dh_last, dc_last):
        gates, cs, tc, _ = self.saved
        steps, batch, n = tc.shape
        dz = np.empty_like(gates)
        dh = np.zeros((batch, n), gates.dtype) if dh_last is None else dh_last
        dc = np.zeros((batch, n), gates.dtype) if dc_last is None else dc_last
        ut = np.ascontiguousarray(self.u.T)  # BLAS is faster on it than on the transposed view
        scratch = np.empty_like(gates[0])
        for t in range(steps - 1, -1, -1):  # step by step: the step's arrays stay in cache
            if dh_seq is not None:
                dh = dh + dh_seq[t]
            i, f, g, o = (gates[t, :, k * n:(k + 1) * n] for k in range(4))
            dc = dc + dh * o * self.dact(tc[t])
            d = dz[t]
            np.multiply(dc, g, out=d[:, :n])
            np.multiply(dc, cs[t], out=d[:, n:2 * n])
            np.multiply(dc, i, out=d[:, 2 * n:3 * n])
            np.multiply(dh, tc[t], out=d[:, 3 * n:])
            d *= self.gate_derivatives(gates[t], n, scratch)
            dc = dc * f
            dh = self.mask_grad(d @ ut)
        return dz, dz, dh, dc

    def one_tanh(self):
        """Sigmoid gates and tanh: sigmoid(z) = tanh(z / 2) / 2 + 1/2 lets one tanh call do all four."""
        return self.sig is _sigmoid and self.act is _tanh

    def gate_activations(self, z, n):
        """[sig, sig, act, sig] on the four column blocks of z, in place (under ``one_tanh`` z holds z / 2
        on the sigmoid blocks already, see ``project``)."""
        if self.one_tanh():
            half, shift, _, _ = gate_constants(z.shape, z.dtype)
            np.tanh(z, out=z)
            z *= half
            z += shift
            return
        self.sig(z[:, :2 * n], z[:, :2 * n])
        self.act(z[:, 2 * n:3 * n], z[:, 2 * n:3 * n])
        self.sig(z[:, 3 * n:], z[:, 3 * n:])

    def gate_derivatives(self, y, n, out):
        """[sig', sig', act', sig'] read off the activated gates y, into ``out``."""
        if self.one_tanh():  # y (1 - y) on the sigmoid blocks, 1 - y^2 on tanh's: y (a - y) + (1 - a)
            _, _, a, one_minus_a = gate_constants(y.shape, y.dtype)
            np.subtract(a, y, out=out)
            out *= y
            out += one_minus_a
            return out
        out[:, :2 * n] = self.dsig(y[:, :2 * n])
        out[:, 2 * n:3 * n] = self.dact(y[:, 2 * n:3 * n])
        out[:, 3 * n:] = self.dsig(y[:, 3 * n:])
        return out


@functools.lru_cache(maxsize=8)
def gate_constants(shape, dtype):
    """For ``LSTM.one_tanh``, on the columns of the gate blocks [i, f, g, o]: half (1/2 on the sigmoid
    blocks, 1 on the tanh block), shift (1/2, 0), a (1, 0) and 1 - a; of ``shape``, (4 units) or
    (batch, 4 units), read-only. Whole arrays rather than a broadcast row: NumPy runs an operation
    with a broadcast row one row at a time, slower at these sizes (9 us vs 6 us at 128 x 512)."""
    n = (shape if isinstance(shape, int) else shape[-1]) // 4
    shift = np.full(shape, 0.5, dtype)
    shift[..., 2 * n:3 * n] = 0.0
    constants = (1 - shift, shift, 2 * shift, 1 - 2 * shift)
    for c in constants:
        c.flags.writeable = False
    return constants


class GRU(Recurrent):
    """Keras's GRU, gates in the column order z (update), r (reset), h (candidate).

    reset_after=True (Keras 3, cuDNN): bias (2, 3 units) = [input bias, recurrent bias];
      [xz, xr, xh] = x_t W + b_in;  [uz, ur, uh] = h_{t-1} U + b_rec
      z = sig(xz + uz);  r = sig(xr + ur);  hh = act(xh + r * uh)
    reset_after=False: bias (3 units,) on the input side;  hh = act(xh + (r * h_{t-1}) U_h)
    h_t = z * h_{t-1} + (1 - z) * hh.

    Backward, dh = dL/dh_t:  dah = dh (1 - z) act'(hh);  daz = dh (h_{t-1} - hh) sig'(z);
    reset_after:  dar = dah * uh * sig'(r);  dZx = [daz, dar, dah],  dZu = [daz, dar, dah * r]
    else: d(rh) = dah U_h^T;  dar = d(rh) * h_{t-1} * sig'(r);  dU_h = sum (r h_{t-1})^T dah
    dh_{t-1} = dh z + dZu U^T (+ d(rh) * r).
    """

    def __init__(self, *args, reset_after=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.reset_after = reset_after

    def project(self, x2, w, b):
        return super().project(x2, w, b[0] if b is not None and self.reset_after else b)

    def loop(self, xw, u, b, h0, c0):
        steps, batch, units3 = xw.shape
        n = units3 // 3
        b_rec = b[1] if b is not None and self.reset_after else None
        hs = np.empty((steps + 1, batch, n), xw.dtype)
        hs[0] = h0
        hu = hs if self.mask is None else np.empty((steps, batch, n), xw.dtype)
        uh = np.empty((steps, batch, n), xw.dtype)  # reset_after: h U_h + b; else r * h_{t-1}
        for t in range(steps):
            z = xw[t]  # becomes [z, r, hh] in place
            h_in = self.masked(hs[t], hu[t])
            if self.reset_after:
                inner = h_in @ u
                if b_rec is not None:
                    inner += b_rec
                z[:, :2 * n] += inner[:, :2 * n]
                self.sig(z[:, :2 * n], z[:, :2 * n])
                uh[t] = inner[:, 2 * n:]
                z[:, 2 * n:] += z[:, n:2 * n] * uh[t]
            else:
                z[:, :2 * n] += h_in @ u[:, :2 * n]
                self.sig(z[:, :2 * n], z[:, :2 * n])
                np.multiply(z[:, n:2 * n], h_in, out=uh[t])
                z[:, 2 * n:] += uh[t] @ u[:, 2 * n:]
            self.act(z[:, 2 * n:], z[:, 2 * n:])
            hh = z[:, 2 * n:]
            np.subtract(hs[t], hh, out=hs[t + 1])  # h_t = hh + z (h_{t-1} - hh)
            hs[t + 1] *= z[:, :n]
            hs[t + 1] += hh
        self.save_for_backward(xw, hs, uh, hu[:steps])
        return hs, None

    def loop_backward(self, dh_seq, dh_last, dc_last):
        gates, hs, uh, hu = self.saved
        steps, batch, units3 = gates.shape
        n = units3 // 3
        dzx = np.empty_like(gates)
        dzu = np.empty_like(gates) if self.reset_after else None
        dh = np.zeros((batch, n), gates.dtype) if dh_last is None else dh_last
        ut, uht = np.ascontiguousarray(self.u.T), np.ascontiguousarray(self.u[:, 2 * n:].T)
        for t in range(steps - 1, -1, -1):
            if dh_seq is not None:
                dh = dh + dh_seq[t]
            z, r, hh = gates[t, :, :n], gates[t, :, n:2 * n], gates[t, :, 2 * n:]
            d = dzx[t]
            np.multiply(dh, hs[t] - hh, out=d[:, :n])
            d[:, :n] *= self.dsig(z)
            np.multiply(dh, 1.0 - z, out=d[:, 2 * n:])
            d[:, 2 * n:] *= self.dact(hh)
            if self.reset_after:
                np.multiply(d[:, 2 * n:], uh[t], out=d[:, n:2 * n])
                d[:, n:2 * n] *= self.dsig(r)
                du = dzu[t]
                du[:, :2 * n] = d[:, :2 * n]
                np.multiply(d[:, 2 * n:], r, out=du[:, 2 * n:])
                dh_in = du @ ut
            else:
                drh = d[:, 2 * n:] @ uht
                np.multiply(drh, hu[t], out=d[:, n:2 * n])
                d[:, n:2 * n] *= self.dsig(r)
                dh_in = d[:, :2 * n] @ ut[:2 * n] + drh * r
            dh = dh * z + self.mask_grad(dh_in)
        return dzx, (dzu if self.reset_after else dzx), dh, None

    def recurrent_grad(self, dzu):
        if self.reset_after:
            return super().recurrent_grad(dzu)
        _, _, rh, hu = self.saved  # dU_zr = sum h_{t-1}^T [daz, dar];  dU_h = sum (r h_{t-1})^T dah
        n = hu.shape[-1]
        return np.concatenate([_rows(hu).T @ _rows(dzu[..., :2 * n]), _rows(rh).T @ _rows(dzu[..., 2 * n:])], axis=1)

    def bias_grad(self, dzx, dzu):
        if self.reset_after:
            return np.stack([dzx.sum(axis=(0, 1)), dzu.sum(axis=(0, 1))])
        return dzx.sum(axis=(0, 1))


class TimeSlice(Function):
    """y = x[:, index] (an int or a slice of steps);  dL/dx = gy placed into zeros.
    Cuts an RNN's packed output into output and states without a scatter-add."""

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.shape = x.shape
        return np.ascontiguousarray(x[:, self.index])

    def backward(self, gy):
        gx = np.zeros(self.shape, dtype=gy.dtype)
        gx[:, self.index] = gy
        return gx


class ReverseTime(Function):
    """y = x[:, ::-1] (steps reversed, as Bidirectional turns its backward output around);
    dL/dx = gy[:, ::-1]."""

    def forward(self, x):
        return np.ascontiguousarray(x[:, ::-1])

    def backward(self, gy):
        return np.ascontiguousarray(gy[:, ::-1])
