"""purepax.nn: layers. Inputs are batched and channels-last, as in Flax and Haiku."""

from ._conv import Conv as Conv
from ._conv import Conv1d as Conv1d
from ._conv import Conv2d as Conv2d
from ._conv import Conv3d as Conv3d
from ._conv import ConvTranspose as ConvTranspose
from ._conv import ConvTranspose1d as ConvTranspose1d
from ._conv import ConvTranspose2d as ConvTranspose2d
from ._conv import ConvTranspose3d as ConvTranspose3d
from ._embedding import Embedding as Embedding
from ._linear import Identity as Identity
from ._linear import Linear as Linear
from ._pool import AvgPool as AvgPool
from ._pool import AvgPool1d as AvgPool1d
from ._pool import AvgPool2d as AvgPool2d
from ._pool import AvgPool3d as AvgPool3d
from ._pool import MaxPool as MaxPool
from ._pool import MaxPool1d as MaxPool1d
from ._pool import MaxPool2d as MaxPool2d
from ._pool import MaxPool3d as MaxPool3d
from ._pool import Pool as Pool
from ._sequential import Lambda as Lambda
from ._sequential import Sequential as Sequential
