"""The workloads' models in PyTorch, with Keras's defaults so that the rows compare like for like.

Keras's defaults in PyTorch terms: Glorot-uniform weights (``xavier_uniform_``; for a conv its
fan is in/out channels times the kernel area, as in Keras) and zero biases; BatchNorm epsilon
1e-3 and momentum 0.01 (PyTorch weights the *new* statistic: Keras's 0.99 is PyTorch's 0.01);
LSTM input kernel Glorot-uniform, recurrent kernel orthogonal, biases zero with the forget gate's
at 1 (``unit_forget_bias``); Adam epsilon 1e-7. The model outputs logits and the loss is
``CrossEntropyLoss``: the same value and gradient as softmax + categorical cross-entropy.
What stays different: PyTorch's running variance is unbiased (Keras's is biased), and its
Adam adds epsilon to sqrt(v_hat) where Keras adds it to sqrt(v) ("epsilon hat").
"""
import torch
from torch import nn


class LastStepLSTM(nn.Module):
    """LSTM(128) over the 28 rows, then Dense(10) on the last hidden state (Keras's LSTM output)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


def _bn(n):
    return nn.BatchNorm1d(n, eps=1e-3, momentum=0.01)


def _layers(workload):
    if workload == "W1":
        return nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    if workload == "W2":
        return nn.Sequential(nn.Linear(784, 512), _bn(512), nn.ReLU(), nn.Dropout(0.2),
                             nn.Linear(512, 512), _bn(512), nn.ReLU(), nn.Dropout(0.2),
                             nn.Linear(512, 10))
    if workload == "W3":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    if workload == "W4":
        return LastStepLSTM()
    raise ValueError(f"`workload` must be one of W1, W2, W3, W4, received {workload!r}")


@torch.no_grad()
def keras_init(model):
    """Re-initialise every parameter the way Keras would."""
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LSTM):
            units = m.hidden_size
            nn.init.xavier_uniform_(m.weight_ih_l0)  # (4u, in): the same fans as Keras's (in, 4u)
            nn.init.orthogonal_(m.weight_hh_l0)
            nn.init.zeros_(m.bias_ih_l0)
            nn.init.zeros_(m.bias_hh_l0)
            m.bias_ih_l0[units:2 * units] = 1.0  # gate order i, f, g, o: the forget gate's bias
    return model


def build(workload):
    """(model, optimizer) for the workload: SGD 0.01 for W1, Adam 1e-3 (eps 1e-7) otherwise."""
    model = keras_init(_layers(workload))
    if workload == "W1":
        return model, torch.optim.SGD(model.parameters(), lr=0.01)
    return model, torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)


def to_input(x, workload):
    """Flat float32 (n, 784) NumPy images -> the tensor the workload's model reads (NCHW for W3)."""
    x = torch.from_numpy(x)
    if workload == "W3":
        return x.reshape(-1, 1, 28, 28)
    if workload == "W4":
        return x.reshape(-1, 28, 28)
    return x
