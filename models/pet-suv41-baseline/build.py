#!/usr/bin/python3
"""Builds model.onnx of the pet-suv41-baseline package: the EANM fixed-threshold baseline, a voxel is lesion when its
SUV is at least 41 % of the SUVmax of the volume. Not a trained model: there are no weights, only the rule as an ONNX
graph. Run with Debian's python3-onnx (1.12): /usr/bin/python3 build.py [output path]; the file is byte for byte the
same on every run (no timestamps, fixed producer fields)."""
import sys

import onnx
from onnx import TensorProto, helper

FRACTION = 0.41


def build():
    suv = helper.make_tensor_value_info("suv", TensorProto.FLOAT, ["N", 1, "D", "H", "W"])
    lesion = helper.make_tensor_value_info("lesion", TensorProto.UINT8, ["N", 1, "D", "H", "W"])
    fraction = helper.make_tensor("fraction", TensorProto.FLOAT, [], [FRACTION])
    nodes = [
        # SUVmax per case (and channel): reduce over D, H, W, keeping the axes so it broadcasts back.
        helper.make_node("ReduceMax", ["suv"], ["suv_max"], axes=[2, 3, 4], keepdims=1, name="suv_max"),
        helper.make_node("Mul", ["suv_max", "fraction"], ["threshold"], name="threshold"),
        helper.make_node("GreaterOrEqual", ["suv", "threshold"], ["above"], name="above"),
        # A case with no uptake at all (SUVmax 0) segments nothing rather than everything.
        helper.make_node("Greater", ["suv", "zero"], ["positive"], name="positive"),
        helper.make_node("And", ["above", "positive"], ["mask"], name="mask"),
        helper.make_node("Cast", ["mask"], ["lesion"], to=TensorProto.UINT8, name="lesion"),
    ]
    zero = helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0])
    graph = helper.make_graph(nodes, "pet_suv41_baseline", [suv], [lesion], initializer=[fraction, zero])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="mira models/pet-suv41-baseline/build.py",
                              producer_version="1.0.0", doc_string="EANM baseline: lesion = SUV >= 0.41 x SUVmax of the volume (and SUV > 0)")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "model.onnx"
    with open(out, "wb") as f:
        f.write(build().SerializeToString())
