"""The course's package: the layers you write (layers.py, layer_utils.py) beside the helpers we
provide (shapes.py, gradient_check.py). Submit only layers.py and layer_utils.py."""
