"""Floor 5: layers under Keras's names."""
from deepbasics.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from deepbasics.layers.batch_normalization import BatchNormalization
from deepbasics.layers.convolutional import Conv1D, Conv2D, Conv2DTranspose
from deepbasics.layers.core import Activation, Flatten
from deepbasics.layers.dense import Dense
from deepbasics.layers.dropout import Dropout
from deepbasics.layers.embedding import Embedding
from deepbasics.layers.input_layer import Input, InputLayer
from deepbasics.layers.layer import Layer
from deepbasics.layers.merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add,
                                       average, concatenate, maximum, minimum, multiply, subtract)
from deepbasics.layers.noise import GaussianNoise, Lambda
from deepbasics.layers.pooling import (AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D,
                                       GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAvgPool1D,
                                       GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPooling1D,
                                       GlobalMaxPooling2D, MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D)
from deepbasics.layers.recurrent import GRU, LSTM, SimpleRNN
from deepbasics.layers.reshaping import Permute, RepeatVector, Reshape
from deepbasics.layers.spatial import Cropping2D, SpatialDropout1D, SpatialDropout2D, UpSampling2D, ZeroPadding2D
from deepbasics.layers.symbolic import KerasTensor
from deepbasics.layers.wrappers import Bidirectional, TimeDistributed

__all__ = [
    "Activation", "Add", "Average", "AveragePooling1D", "AveragePooling2D", "AvgPool1D", "AvgPool2D",
    "BatchNormalization", "Bidirectional", "Concatenate", "Conv1D", "Conv2D", "Conv2DTranspose", "Cropping2D",
    "Dense", "Dropout", "ELU", "Embedding", "Flatten", "GRU", "GaussianNoise", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "Input", "InputLayer", "KerasTensor", "LSTM", "Lambda", "Layer",
    "LeakyReLU", "MaxPool1D", "MaxPool2D", "MaxPooling1D", "MaxPooling2D", "Maximum", "Minimum", "Multiply",
    "PReLU", "Permute", "ReLU", "RepeatVector", "Reshape", "SimpleRNN", "Softmax", "SpatialDropout1D",
    "SpatialDropout2D", "Subtract", "TimeDistributed", "UpSampling2D", "ZeroPadding2D",
    "add", "average", "concatenate", "maximum", "minimum", "multiply", "subtract",
]
