from ml.training import model as models


def test_the_reference_network_has_4478727_parameters_and_the_seed_shapes():
    net = models.build("reference")
    assert net.count_params() == 4_478_727
    assert net.input_shape == (None, 48, 48, 1)
    assert net.output_shape == (None, 7)
    pools = [net.get_layer(f"conv{i}_pool").output.shape[1:] for i in range(1, 5)]
    assert pools == [(24, 24, 64), (12, 12, 128), (6, 6, 512), (3, 3, 512)]
    assert net.get_layer("flatten").output.shape[1:] == (4608,)
    assert [net.get_layer(n).units for n in ("dense1", "dense2", "emotion")] == [256, 512, 7]
    assert net.get_layer("conv2").kernel_size == (5, 5)


def test_an_unknown_architecture_is_refused_by_name():
    import pytest

    with pytest.raises(ValueError, match="unknown architecture"):
        models.build("resnet9000")
