"""Fixtures for the ONNX export tests: export, check the file, run it in ONNX Runtime, compare.

The reference is the model itself: ONNX Runtime's outputs must match ``model.predict`` to
1e-5 (absolute, plus 1e-5 relative for the few outputs far above 1), float32, for batches of
1 and more. The tests skip where the ``interop`` extra (onnx, onnxruntime) is not installed.
"""
import numpy as np
import pytest

BATCHES = (1, 4, 9)


@pytest.fixture
def export_onnx(tmp_path):
    """``export_onnx(model) -> (session, proto)``: the exported file, fully checked and opened."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")

    def export(model, name="model.onnx"):
        path = tmp_path / name
        model.export(path, verbose=False)
        proto = onnx.load(str(path))
        onnx.checker.check_model(proto, full_check=True)
        assert proto.ir_version == 8
        assert [(o.domain, o.version) for o in proto.opset_import] == [("", 17)]
        return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]), proto

    return export


@pytest.fixture
def assert_onnx_matches(export_onnx, rng):
    """``assert_onnx_matches(model, *input_shapes)``: random float32 inputs of each batch size in
    BATCHES through both; every output must agree in shape, dtype and value."""
    def check(model, *shapes, make_input=None):
        session, proto = export_onnx(model)
        names = [i.name for i in session.get_inputs()]
        assert all(i.shape[0] == "batch" for i in session.get_inputs()), "the batch axis must be dynamic"
        for n in BATCHES:
            xs = [(make_input or _normal)(rng, (n,) + tuple(s)) for s in shapes]
            want = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
            want = want if isinstance(want, list) else [want]
            got = session.run(None, dict(zip(names, xs)))
            assert len(got) == len(want)
            for g, w in zip(got, want):
                assert g.dtype == np.float32 and g.shape == w.shape
                np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)
        return session, proto

    return check


def _normal(rng, shape):
    return rng.standard_normal(shape).astype(np.float32)


@pytest.fixture
def randomize(rng):
    """Give every weight of a model random values (biases too, so their layout is tested)."""
    def fill(model, scale=0.5):
        model.set_weights([(rng.standard_normal(w.shape) * scale).astype(np.float32) for w in model.get_weights()])
        return model

    return fill


def nodes(proto, op_type):
    """The nodes of one operator type, with their attributes as a dict."""
    from onnx import helper

    return [{a.name: helper.get_attribute_value(a) for a in n.attribute}
            for n in proto.graph.node if n.op_type == op_type]


@pytest.fixture
def onnx_nodes():
    return nodes
