/*
 * cmd-table.c: the one table of commands, in the order help lists them.
 */
#include <stddef.h>

#include "cmd.h"

extern const struct cmd_entry cmd_host_add, cmd_host_check, cmd_host_list,
    cmd_host_show, cmd_host_set, cmd_host_remove;
extern const struct cmd_entry cmd_pool_add, cmd_pool_list, cmd_pool_show,
    cmd_pool_check,
    cmd_pool_remove;
extern const struct cmd_entry cmd_image_push, cmd_image_capture;
extern const struct cmd_entry cmd_image_add, cmd_image_list, cmd_image_show,
    cmd_image_set, cmd_image_remove, cmd_image_import, cmd_image_verify;
extern const struct cmd_entry cmd_host_sync, cmd_host_facts, cmd_vm_adopt,
    cmd_vm_stats, cmd_host_watch;
extern const struct cmd_entry cmd_vm_list, cmd_vm_show, cmd_vm_create,
    cmd_vm_start, cmd_vm_stop, cmd_vm_reboot, cmd_vm_suspend, cmd_vm_resume,
    cmd_vm_destroy, cmd_vm_forget;
extern const struct cmd_entry cmd_volume_list, cmd_volume_show,
    cmd_volume_create, cmd_volume_attach, cmd_volume_detach,
    cmd_volume_resize, cmd_volume_remove;
extern const struct cmd_entry cmd_snapshot_list, cmd_snapshot_show,
    cmd_snapshot_create, cmd_snapshot_revert, cmd_snapshot_remove;
extern const struct cmd_entry cmd_user_add, cmd_user_list, cmd_user_set,
    cmd_user_remove;
extern const struct cmd_entry cmd_audit_list;
extern const struct cmd_entry cmd_store_info, cmd_store_check, cmd_store_dump;
extern const struct cmd_entry cmd_ui_move, cmd_ui_view, cmd_ui_sort,
    cmd_ui_filter, cmd_ui_prompt, cmd_ui_mark, cmd_ui_mark_all,
    cmd_ui_mark_none, cmd_ui_detail, cmd_ui_help, cmd_ui_refresh,
    cmd_ui_redraw, cmd_ui_quit, cmd_keys;
extern const struct cmd_entry cmd_help_entry, cmd_version, cmd_shell,
    cmd_self_test_entry, cmd_complete_entry, cmd_tui;

const struct cmd_entry *const cmd_table[] = {
	&cmd_host_add, &cmd_host_check, &cmd_host_facts,
	&cmd_host_sync, &cmd_host_watch, &cmd_host_list, &cmd_host_show,
	&cmd_host_set, &cmd_host_remove,
	&cmd_pool_add, &cmd_pool_list, &cmd_pool_show, &cmd_pool_check,
	&cmd_pool_remove,
	&cmd_image_add, &cmd_image_list, &cmd_image_show, &cmd_image_set,
	&cmd_image_remove, &cmd_image_import, &cmd_image_verify, &cmd_image_push,
	&cmd_image_capture,
	&cmd_vm_list, &cmd_vm_show, &cmd_vm_create, &cmd_vm_start,
	&cmd_vm_stop, &cmd_vm_reboot, &cmd_vm_suspend, &cmd_vm_resume,
	&cmd_vm_destroy, &cmd_vm_forget, &cmd_vm_stats, &cmd_vm_adopt,
	&cmd_volume_list, &cmd_volume_show, &cmd_volume_create,
	&cmd_volume_attach, &cmd_volume_detach, &cmd_volume_resize,
	&cmd_volume_remove,
	&cmd_snapshot_list, &cmd_snapshot_show, &cmd_snapshot_create,
	&cmd_snapshot_revert, &cmd_snapshot_remove,
	&cmd_user_add, &cmd_user_list, &cmd_user_set, &cmd_user_remove,
	&cmd_audit_list,
	&cmd_store_info, &cmd_store_check, &cmd_store_dump,
	&cmd_ui_move, &cmd_ui_view, &cmd_ui_sort, &cmd_ui_filter,
	&cmd_ui_prompt, &cmd_ui_mark, &cmd_ui_mark_all, &cmd_ui_mark_none,
	&cmd_ui_detail, &cmd_ui_help, &cmd_ui_refresh, &cmd_ui_redraw,
	&cmd_ui_quit, &cmd_keys,
	&cmd_help_entry, &cmd_version, &cmd_tui, &cmd_shell, &cmd_self_test_entry,
	&cmd_complete_entry,
	NULL
};
