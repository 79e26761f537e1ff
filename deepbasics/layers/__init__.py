"""Floor 5: layers under Keras's names."""
from deepbasics.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from deepbasics.layers.batch_normalization import BatchNormalization
from deepbasics.layers.core import Activation, Flatten
from deepbasics.layers.dense import Dense
from deepbasics.layers.dropout import Dropout
from deepbasics.layers.embedding import Embedding
from deepbasics.layers.input_layer import Input, InputLayer
from deepbasics.layers.layer import Layer
from deepbasics.layers.symbolic import KerasTensor
from deepbasics.layers.wrappers import Bidirectional, TimeDistributed
from deepbasics.layers.merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add,
                                       average, concatenate, maximum, minimum, multiply, subtract)
from deepbasics.layers.noise import GaussianNoise, Lambda
from deepbasics.layers.recurrent import GRU, LSTM, SimpleRNN
from deepbasics.layers.reshaping import Permute, RepeatVector, Reshape

__all__ = ["Activation", "Add", "Average", "BatchNormalization", "Bidirectional", "Concatenate", "Dense",
           "Dropout", "ELU", "Embedding", "Flatten", "GRU", "LSTM", "SimpleRNN", "TimeDistributed", "GaussianNoise", "Input", "InputLayer", "KerasTensor", "Lambda", "Layer", "LeakyReLU",
           "Maximum", "Minimum", "Multiply", "PReLU", "Permute", "ReLU", "RepeatVector", "Reshape", "Softmax",
           "Subtract", "add", "average", "concatenate", "maximum", "minimum", "multiply", "subtract"]
