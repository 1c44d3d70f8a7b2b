"""The package's public names: ``bayes_l1.__all__`` is the eager imports plus ``_LAZY``, and
every name it lists is the object its module exports under that name."""

import importlib

import bayes_l1 as bl


def test_all_lists_each_name_once_and_dir_shows_them():
    assert len(bl.__all__) == len(set(bl.__all__))
    assert dir(bl) == sorted(bl.__all__)


def test_lazy_names_are_in_their_modules_all():
    for name, module_name in bl._LAZY.items():
        module = importlib.import_module(module_name)
        assert name in module.__all__, (name, module_name)
        assert getattr(bl, name) is getattr(module, name)


def test_every_public_name_is_its_modules_export():
    for name in bl.__all__:
        value = getattr(bl, name)
        module = importlib.import_module(value.__module__)
        assert name in module.__all__, (name, value.__module__)
        assert getattr(module, name) is value
