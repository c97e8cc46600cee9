#!/usr/bin/python3
"""A PET lesion model with probabilities, for the pre-annotation tests: p = sigmoid(20 (SUV / SUVmax - 0.41)), one
channel, thresholded at 0.5 by the manifest (so its label map is the EANM 41 % rule). Writes model.onnx and
mira-model.json into the folder given."""
import json
import os
import sys

import onnx
from onnx import TensorProto, helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
suv = helper.make_tensor_value_info("suv", TensorProto.FLOAT, ["N", 1, "D", "H", "W"])
prob = helper.make_tensor_value_info("prob", TensorProto.FLOAT, ["N", 1, "D", "H", "W"])
nodes = [
    helper.make_node("ReduceMax", ["suv"], ["suv_max"], axes=[2, 3, 4], keepdims=1),
    helper.make_node("Div", ["suv", "suv_max"], ["fraction"]),
    helper.make_node("Sub", ["fraction", "rule"], ["margin"]),
    helper.make_node("Mul", ["margin", "steepness"], ["logit"]),
    helper.make_node("Sigmoid", ["logit"], ["prob"]),
]
graph = helper.make_graph(nodes, "pet_soft", [suv], [prob], initializer=[
    helper.make_tensor("rule", TensorProto.FLOAT, [], [0.41]), helper.make_tensor("steepness", TensorProto.FLOAT, [], [20.0])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="mira tests")
model.ir_version = 8
onnx.checker.check_model(model, full_check=True)
with open(os.path.join(out, "model.onnx"), "wb") as f:
    f.write(model.SerializeToString())
manifest = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "models", "pet-suv41-baseline", "mira-model.json")))
manifest["name"] = "pet-soft-test"
manifest["output"] = {"name": "prob", "kind": "probabilities", "threshold": 0.5, "labels": manifest["output"]["labels"]}
manifest["card"]["summary"] = "A test model: sigmoid(20 (SUV / SUVmax - 0.41)), the EANM 41 % rule with probabilities."
manifest["card"]["calibration"] = "Not calibrated: a test model."
with open(os.path.join(out, "mira-model.json"), "w") as f:
    json.dump(manifest, f, indent=2)
