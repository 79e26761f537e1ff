"""The lab's tests. A package so that test_perceptron.py, test_activations.py and test_cli.py
can share their basenames with the tests of deepbasics.perceptron, .activations and .cli."""
