#!/usr/bin/python3
"""Builds model.onnx of the ct-bone-threshold-baseline package: a CT voxel is bone when its value is at least 250 HU,
after a morphological opening in each slice (3 x 3 erosion then dilation) that drops isolated noisy voxels. Not a
trained model: the rule as an ONNX graph, so that deployment (inference on arrival, results back to PACS) has a small,
exactly reproducible CT segmentation model. Run with Debian's python3-onnx (1.12): /usr/bin/python3 build.py [output
path]; the file is byte for byte the same on every run (no timestamps, fixed producer fields)."""
import sys

import onnx
from onnx import TensorProto, helper

BONE_HU = 250.0


def build():
    hu = helper.make_tensor_value_info("hu", TensorProto.FLOAT, ["N", 1, "D", "H", "W"])
    bone = helper.make_tensor_value_info("bone", TensorProto.UINT8, ["N", 1, "D", "H", "W"])
    threshold = helper.make_tensor("threshold", TensorProto.FLOAT, [], [BONE_HU])
    one = helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])
    pool = dict(kernel_shape=[1, 3, 3], pads=[0, 1, 1, 0, 1, 1], strides=[1, 1, 1])
    nodes = [
        helper.make_node("GreaterOrEqual", ["hu", "threshold"], ["above"], name="above"),
        helper.make_node("Cast", ["above"], ["mask"], to=TensorProto.FLOAT, name="mask"),
        # Erosion in the slice plane: a voxel stays when none of its 3 x 3 neighbours is background (1 - max(1 - m)).
        helper.make_node("Sub", ["one", "mask"], ["background"], name="background"),
        helper.make_node("MaxPool", ["background"], ["background_grown"], name="erode", **pool),
        helper.make_node("Sub", ["one", "background_grown"], ["eroded"], name="eroded"),
        # Dilation of what is left: the opening keeps shapes at least 3 voxels across and drops single noisy voxels.
        helper.make_node("MaxPool", ["eroded"], ["opened"], name="dilate", **pool),
        helper.make_node("Cast", ["opened"], ["bone"], to=TensorProto.UINT8, name="bone"),
    ]
    graph = helper.make_graph(nodes, "ct_bone_threshold_baseline", [hu], [bone], initializer=[threshold, one])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="mira models/ct-bone-threshold-baseline/build.py",
                              producer_version="1.0.0", doc_string="CT bone baseline: bone = opening(HU >= 250) with a 3 x 3 in-slice structuring element")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "model.onnx"
    with open(out, "wb") as f:
        f.write(build().SerializeToString())
