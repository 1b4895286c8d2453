"""`purepax.nn`: the layers. Batched, channels-last inputs; see docs/layers.md."""

from ._attention import MultiHeadAttention as MultiHeadAttention
from ._dropout import Dropout as Dropout
from ._linear import Linear as Linear
from ._norm import BatchNorm as BatchNorm
from ._norm import GroupNorm as GroupNorm
from ._norm import LayerNorm as LayerNorm
from ._norm import RMSNorm as RMSNorm
from ._recurrent import GRU as GRU
from ._recurrent import LSTM as LSTM
from ._recurrent import GRUCell as GRUCell
from ._recurrent import LSTMCell as LSTMCell
