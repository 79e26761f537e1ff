"""Floor 6: callbacks under Keras's names (``deepbasics.callbacks.EarlyStopping`` ...)."""
from deepbasics.callbacks.callback import Callback, CallbackList, to_float_logs
from deepbasics.callbacks.checkpoint import BackupAndRestore, ModelCheckpoint
from deepbasics.callbacks.early_stopping import EarlyStopping
from deepbasics.callbacks.history import History, ProgbarLogger
from deepbasics.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from deepbasics.callbacks.loggers import CSVLogger, LambdaCallback, TerminateOnNaN

__all__ = ["BackupAndRestore", "CSVLogger", "Callback", "ModelCheckpoint", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "ProgbarLogger", "ReduceLROnPlateau", "TerminateOnNaN", "to_float_logs"]
