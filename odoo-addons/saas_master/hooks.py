def post_init_hook(env):
    # once more after the install loaded saas_master's own Spanish terms: the
    # storefront menus take their Spanish names from the menus' translations
    env["website"]._saas_storefront_setup()
