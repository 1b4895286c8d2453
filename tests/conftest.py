import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def getkey():
    """A function that returns a new PRNG key on every call (as in Equinox's tests)."""
    keys = iter(jax.random.split(jax.random.PRNGKey(0), 1000))
    return lambda: next(keys)


# The fast tier (`pytest -m "not slow"`, under 3 minutes on 2 cores) leaves out what takes
# minutes: runs of other programs (mypy and pyright over corpora and typing cases, several
# processes, the examples, building the wheel and the site) and the layers' comparisons
# with the peers and exhaustive sweeps. The whole suite (CI) runs everything.
SLOW_FILES = (
    "tests/mypy/",  # the plugin's corpus: mypy over hundreds of programs, each also run
    "tests/programs/",  # whole user programs under mypy, pyright and python
    "tests/test_wheel.py",  # builds the wheel and installs it into a fresh environment
    "tests/test_install.py",  # mypy in a project outside the checkout
    "tests/test_multidevice.py",  # several jax.distributed processes
    "tests/test_examples.py",  # the examples' training runs
    "tests/test_docs.py",  # every code block of every page
    "tests/test_site.py",  # mkdocs build --strict
    "tests/test_pyright.py",
    "tests/test_stubs.py",  # mypy over the JAX overlay's cases
    "tests/test_typing_idioms.py",  # mypy and pyright
    "tests/test_transforms_typing.py",  # mypy and pyright
    "tests/nn/test_layer_typing.py",  # mypy and pyright
)
# Within the layers' tests: the comparisons with Equinox and Flax and the dtype sweeps.
SLOW_NAMES = ("equinox", "flax", "for_every_dtype")
# Tests that take 2 s or more each on an idle 2-core machine (compiling models under jit
# and grad, training runs, hypothesis properties), by file; `pytest -m "not slow"
# --durations=20` shows what to add here when the fast tier grows past 3 minutes.
SLOW_TESTS = {
    "tests/nn/test_attention.py": (
        "test_a_decode_loop_carries_a_stacks_weights_one_array_per_block",
        "test_a_stack_decoding_in_a_fori_or_while_loop_equals_the_full_prefix",
        "test_a_decode_loop_that_changes_a_stacks_weights_decodes_with_the_changed_ones",
        "test_a_prefix_fed_in_chunks_through_the_cache_equals_the_full_prefix",
        "test_cached_decoding_of_a_stack_equals_the_full_prefix_at_every_position",
        "test_causal_output_ignores_the_future",
        "test_decoding_a_single_layer_in_a_fori_loop_equals_the_full_prefix",
        "test_decoding_past_max_length_is_refused_or_nan_under_a_trace",
        "test_fields_and_shapes",
        "test_low_precision_softmax_in_float32",
        "test_mask_and_causal_combine_by_and",
        "test_matches_head_by_head_formula",
        "test_the_cache_is_state_advanced_only_through_purecall",
        "test_under_jit_and_grad",
    ),
    "tests/nn/test_conv.py": (
        "test_any_number_of_batch_axes",
        "test_bad_arguments_are_named",
        "test_dtype_and_param_dtype",
        "test_explicit_padding_pairs_and_per_dimension_values",
        "test_fields_and_initialisation",
        "test_output_sizes",
        "test_transpose_inverts_the_shape_of_a_strided_conv",
        "test_under_px_jit_and_px_grad",
    ),
    "tests/nn/test_dropout.py": (
        "test_model_trains_inside_px_jit_with_purecall",
        "test_statistics_and_exact_scaling",
    ),
    "tests/nn/test_linear.py": (
        "test_dtype_and_param_dtype",
        "test_fields_shapes_and_formula",
        "test_under_px_jit_and_px_grad",
    ),
    "tests/nn/test_initializers.py": (
        "test_fan_in_initializers_scale_as_in_flax",
        "test_normal_and_orthogonal_draw_their_distributions",
    ),
    "tests/nn/test_lora.py": (
        "test_a_lora_linear_computes_the_formula_and_is_a_linear",
        "test_lora_on_selected_layers_changes_nothing_until_trained",
        "test_same_as_flax_nnx_lora_linear_on_the_same_weights",
        "test_training_only_the_adapters_then_merging_gives_the_same_function",
    ),
    "tests/nn/test_mlp.py": (
        "test_activations_between_layers_and_after_the_last",
        "test_depth_hidden_layers_of_width_then_the_output_layer",
        "test_dropout_after_each_hidden_activation_is_a_mutation_in_training",
        "test_trains_under_jit",
    ),
    "tests/nn/test_norm.py": (
        "test_batch_norm_training_uses_batch_statistics_and_updates_running_ones",
        "test_group_norm_formula",
        "test_layer_norm_formula",
        "test_norm_derivatives_equal_the_formulas_in_every_mode",
    ),
    "tests/nn/test_pool.py": ("test_in_a_tiny_model_under_px_jit_and_px_grad",),
    "tests/nn/test_recurrent.py": (
        "test_cell_fields_and_pytorch_initialisation",
        "test_gru_cell_formula",
        "test_lstm_cell_formula",
        "test_mixed_precision",
        "test_scanned_layer_equals_a_python_loop",
        "test_scanned_layer_is_read_only_and_trains_under_jit",
    ),
    "tests/nn/test_rotary.py": (
        "test_interleaved_is_roformers_rotation_matrix",
        "test_positions_shift_a_window_and_keep_dtype",
        "test_rotary_attention_rotates_each_heads_queries_and_keys",
        "test_the_two_pairings_differ_by_a_permutation_of_features",
    ),
    "tests/nn/test_sequential.py": (
        "test_applies_layers_in_order",
        "test_trains_under_px_jit_and_px_grad",
    ),
    "tests/test_acceptance.py": (
        "test_grad_is_shaped_like_parameters_and_holds_state_fixed",
        "test_grad_matches_plain_jax_on_a_dict",
        "test_mlp_training_with_jit_grad_update_parameters_loss_falls",
        "test_per_example_gradients_with_vmap_of_grad",
        "test_raw_jax_transforms_work_on_modules",
        "test_vmap_model_over_batch_with_in_axes_none",
    ),
    "tests/test_capture.py": (
        "test_a_function_of_the_model_and_a_mutating_call_through_purecall",
        "test_capture_works_under_jit_and_grad_and_changes_nothing",
        "test_the_selected_outputs_equal_the_computation_by_hand_stacked_per_block",
    ),
    "tests/test_checkpoint.py": (
        "test_killed_save_keeps_the_previous_checkpoint",
        "test_model_and_optimizer_together_then_training_continues_identically",
    ),
    "tests/test_closure.py": (
        "test_arrays_numbers_functions_and_module_classes_may_be_captured",
    ),
    "tests/test_module.py": ("test_custom_init",),
    "tests/test_nans.py": (
        "test_a_check_through_px_scan_and_module_state_changes_no_result",
        "test_a_checked_function_numbers_its_calls_as_steps_and_returns_its_result",
        "test_a_nan_made_in_the_backward_names_the_module_nearest_the_loss",
        "test_a_nan_made_in_the_forward_of_a_stacked_block_names_the_block_and_the_step",
        "test_a_parameter_already_nan_is_named_by_its_field_before_any_output",
    ),
    "tests/test_optim.py": (
        "test_an_optimizer_refuses_a_model_or_gradient_it_was_not_built_for",
        "test_import_purepax_does_not_import_optax",
        "test_matches_raw_optax_under_jit",
        "test_scan_carry",
    ),
    "tests/test_paths.py": (
        "test_set_a_whole_submodule_swaps_a_head",
        "test_set_works_under_jit_and_grad",
        "test_surgery_matches_the_same_computation_by_hand_as_eqx_tree_at",
    ),
    "tests/test_properties.py": (
        "test_flatten_unflatten_round_trip",
        "test_key_paths_match_leaves",
        "test_parameters_round_trip",
        "test_pure_never_changes_inputs",
        "test_purecall_output_reflects_mutation",
        "test_tree_map_round_trip",
    ),
    "tests/test_retrace.py": (
        "test_a_stack_and_a_vmapped_function_are_named_as_px_summary_names_them",
    ),
    "tests/test_safetensors.py": (
        "test_a_gpt2_file_loads_by_name_map_and_computes_as_gpt2",
    ),
    "tests/test_stacked.py": (
        "test_a_short_training_run_lowers_the_loss",
        "test_an_unreturned_mutated_stack_is_an_error",
        "test_block_code_is_traced_once",
        "test_block_i_equals_make_of_key_i",
        "test_each_block_keeps_its_own_updates",
        "test_gradient_is_a_stack_equal_to_the_loops",
        "test_gradient_with_dropout_equals_the_loops",
        "test_make_runs_once_under_vmap",
        "test_mutating_call_inside_jit_and_a_parent_module",
        "test_mutating_call_outside_pure_is_refused",
        "test_read_only_call_equals_the_python_loop",
        "test_stack_and_unstack_are_inverse",
        "test_stack_of_blocks_round_trips",
    ),
    "tests/test_stacked_integration.py": (
        "test_a_train_step_is_as_large_for_any_number_of_blocks",
        "test_optimizer_updates_a_stack_like_the_unstacked_blocks",
    ),
    "tests/test_summary.py": (
        "test_an_unrolled_stack_is_counted_whole_and_a_scanned_one_once",
        "test_step_cost_agrees_with_xla_and_a_hand_count_on_a_small_mlp",
        "test_step_cost_of_a_jitted_step_shows_each_stacks_remat_policy",
    ),
    "tests/test_transforms.py": (
        "test_jit_returns_before_the_computation_finishes_as_jax_jit_does",
    ),
    "tests/test_tree_structure.py": (
        "test_eval_shape_keeps_structure",
        "test_tree_map_to_other_leaves_keeps_structure",
    ),
    "tests/test_treescope.py": ("test_each_field_shows_its_role_and_sharding",),
}


# The files that take longest (whole programs in subprocesses, mypy runs over corpora,
# docs pages), longest first: pytest-xdist hands out whole files (`--dist loadfile`) in
# collection order, so starting with these keeps both workers busy to the end.
HEAVY_FIRST = (
    "tests/test_examples.py",
    "tests/mypy/test_plugin.py",
    "tests/test_docs.py",
    "tests/mypy/test_shapes.py",
    "tests/test_multidevice.py",
    "tests/nn/test_layer_typing.py",
    "tests/programs/test_programs.py",
    "tests/test_wheel.py",
    "tests/mypy/test_shape_rule.py",
    "tests/test_pyright.py",
    "tests/test_stubs.py",
)


def _heavy_rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return HEAVY_FIRST.index(path) if path in HEAVY_FIRST else len(HEAVY_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_heavy_rank)  # stable: each file keeps its own order
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        peers_or_sweep = path.startswith("tests/nn/") and any(
            word in item.name for word in SLOW_NAMES
        )
        measured = item.originalname in SLOW_TESTS.get(path, ())
        if path.startswith(SLOW_FILES) or peers_or_sweep or measured:
            item.add_marker(pytest.mark.slow)
